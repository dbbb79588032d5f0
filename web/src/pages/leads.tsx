// Leads: what callers left, newest first — move each through new → contacted → qualified →
// won | lost, assign it, note it; filter by stage, assignee or words; export the same view as CSV.
import { useState } from 'preact/hooks';
import { api, apiUrl } from '../api/client.js';
import { LEAD_STATUSES, type LeadView, type Page } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { ErrorNote, PageHeader, Phone, When } from '../components/ui.js';
import { usePaged } from '../components/paged.js';
import { FilterBar, PagedTable, useQueryFilters } from '../components/list-view.js';
import { LeadFields, LeadStatusSelect, SavedText, useLeadSaver } from '../components/lead-editor.js';

const LEAD_FILTERS = ['status', 'assignee', 'q', 'from', 'to'] as const;

function LeadRow({ lead, onSaved }: { lead: LeadView; onSaved: (lead: LeadView) => void }) {
  const { t } = useI18n();
  const { save, error } = useLeadSaver(lead, onSaved);
  return (
    <tr data-lead-id={lead.id}>
      <td data-label={t.leads.created}>
        <Link href={`/calls/${lead.callSid}`} class="row-link">
          <When iso={lead.createdAt} />
        </Link>
      </td>
      <td data-label={t.leads.contact}>
        {lead.contact ? (
          <Link href={`/contacts/${lead.contact.id}`}>
            {lead.contact.name ? (
              <span class="name" dir="auto">
                {lead.contact.name}{' '}
              </span>
            ) : null}
            <Phone value={lead.contact.phone} />
          </Link>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td data-label={t.leads.details}>
        <LeadFields fields={lead.fields} />
      </td>
      <td data-label={t.leads.status}>
        <LeadStatusSelect lead={lead} onSaved={onSaved} />
      </td>
      <td data-label={t.leads.assignee}>
        <SavedText
          value={lead.assignee}
          label={t.leads.assignee}
          onSave={(assignee) => void save({ assignee })}
        />
      </td>
      <td data-label={t.leads.notes}>
        <SavedText
          value={lead.notes}
          label={t.leads.notes}
          multiline
          onSave={(notes) => void save({ notes })}
        />
        {error !== undefined ? <ErrorNote error={error} /> : null}
      </td>
    </tr>
  );
}

export function LeadsPage() {
  const { t } = useI18n();
  const { filters, key, go } = useQueryFilters('/leads', LEAD_FILTERS);
  const [text, setText] = useState(filters.q ?? '');
  const list = usePaged(
    (cursor) => api.get<Page<LeadView>>('/leads', { ...filters, limit: 50, cursor }),
    key,
  );
  return (
    <section>
      <PageHeader title={t.leads.title}>
        <a class="button" href={apiUrl('/leads.csv', filters)} download data-testid="leads-csv">
          {t.common.exportCsv}
        </a>
      </PageHeader>
      <FilterBar onApply={() => go({ ...filters, q: text })}>
        <label class="field">
          <span>{t.calls.search}</span>
          <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t.leads.status}</span>
          <select
            value={filters.status ?? ''}
            onChange={(e) => go({ ...filters, q: text, status: e.currentTarget.value })}
          >
            <option value="">{t.common.any}</option>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t.leadStatus[s]}
              </option>
            ))}
          </select>
        </label>
      </FilterBar>
      <PagedTable
        list={list}
        headers={[
          t.leads.created,
          t.leads.contact,
          t.leads.details,
          t.leads.status,
          t.leads.assignee,
          t.leads.notes,
        ]}
        empty={t.leads.none}
        row={(lead) => (
          <LeadRow
            key={lead.id}
            lead={lead}
            onSaved={(saved) => list.replace((l) => l.id === saved.id, saved)}
          />
        )}
      />
    </section>
  );
}
