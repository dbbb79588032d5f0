// Leads: what callers left, newest first — move each through new → contacted → qualified →
// won | lost, assign it, note it; filter by stage, assignee or words; export the same view as CSV.
import { useState } from 'preact/hooks';
import { api, apiUrl } from '../api/client.js';
import { LEAD_STATUSES, type LeadView, type Page } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Link, navigate, useLocation } from '../router.js';
import { Empty, ErrorNote, Loading, PageHeader, Phone, When } from '../components/ui.js';
import { usePaged } from '../components/paged.js';
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
  const { query } = useLocation();
  const filters: Record<string, string> = {};
  for (const name of LEAD_FILTERS) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  const key = JSON.stringify(filters);
  const [text, setText] = useState(filters.q ?? '');
  const list = usePaged(
    (cursor) => api.get<Page<LeadView>>('/leads', { ...filters, limit: 50, cursor }),
    key,
  );
  const go = (next: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) params.set(k, v);
    const qs = params.toString();
    navigate(qs ? `/leads?${qs}` : '/leads');
  };
  return (
    <section>
      <PageHeader title={t.leads.title}>
        <a class="button" href={apiUrl('/leads.csv', filters)} download data-testid="leads-csv">
          {t.common.exportCsv}
        </a>
      </PageHeader>
      <form
        class="filters card"
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...filters, q: text.trim() });
        }}
      >
        <label class="field">
          <span>{t.calls.search}</span>
          <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t.leads.status}</span>
          <select
            value={filters.status ?? ''}
            onChange={(e) => go({ ...filters, q: text.trim(), status: e.currentTarget.value })}
          >
            <option value="">{t.common.any}</option>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t.leadStatus[s]}
              </option>
            ))}
          </select>
        </label>
        <div class="filter-buttons">
          <button type="submit" class="primary">
            {t.calls.apply}
          </button>
        </div>
      </form>
      {list.error !== undefined ? <ErrorNote error={list.error} /> : null}
      {list.items.length > 0 ? (
        <table class="table responsive">
          <thead>
            <tr>
              <th>{t.leads.created}</th>
              <th>{t.leads.contact}</th>
              <th>{t.leads.details}</th>
              <th>{t.leads.status}</th>
              <th>{t.leads.assignee}</th>
              <th>{t.leads.notes}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((lead) => (
              <LeadRow
                key={lead.id}
                lead={lead}
                onSaved={(saved) => list.replace((l) => l.id === saved.id, saved)}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      {list.loading ? (
        <Loading />
      ) : list.items.length === 0 && list.error === undefined ? (
        <Empty>{t.leads.none}</Empty>
      ) : null}
      {list.hasMore && !list.loading ? (
        <button type="button" class="load-more" onClick={list.loadMore}>
          {t.common.loadMore}
        </button>
      ) : null}
    </section>
  );
}
