// Calls: every call, newest first, with each filter GET /calls has (dates, status, outcome,
// agent, contact, direction, words, test calls); the filters live in the address, so a view can
// be shared; "load more" follows the cursor.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { CALL_DIRECTIONS, CALL_OUTCOMES, CALL_STATUSES, type CallView, type Page } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Link, useLocation } from '../router.js';
import { Badge, Duration, PageHeader, Phone, When } from '../components/ui.js';
import { CallStatusBadge, LeadBadge, OutcomeBadge } from '../components/status.js';
import { usePaged } from '../components/paged.js';
import { DataTable, FilterBar, PagedTable, useQueryFilters, type Filters } from '../components/list-view.js';

export const CALL_FILTERS = [
  'from',
  'to',
  'status',
  'outcome',
  'agent',
  'contact',
  'direction',
  'q',
  'test',
] as const;
type FilterName = (typeof CALL_FILTERS)[number];

function FilterForm({
  initial,
  go,
}: {
  initial: Filters<FilterName>;
  go: (next: Filters<FilterName>) => void;
}) {
  const { t } = useI18n();
  const [f, setF] = useState<Filters<FilterName>>(initial);
  const set = (name: FilterName) => (e: { currentTarget: { value: string } }) =>
    setF({ ...f, [name]: e.currentTarget.value });
  return (
    <FilterBar
      label={t.calls.filters}
      onApply={() => go(f)}
      onClear={() => {
        setF({});
        go({});
      }}
    >
      <label class="field">
        <span>{t.calls.search}</span>
        <input type="search" value={f.q ?? ''} onInput={set('q')} placeholder={t.calls.searchHint} />
      </label>
      <label class="field">
        <span>{t.calls.from}</span>
        <input type="date" value={f.from ?? ''} onInput={set('from')} />
      </label>
      <label class="field">
        <span>{t.calls.to}</span>
        <input type="date" value={f.to ?? ''} onInput={set('to')} />
      </label>
      <label class="field">
        <span>{t.calls.outcome}</span>
        <select value={f.outcome ?? ''} onChange={set('outcome')}>
          <option value="">{t.common.any}</option>
          {CALL_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {t.outcome[o]}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t.calls.status}</span>
        <select value={f.status ?? ''} onChange={set('status')}>
          <option value="">{t.common.any}</option>
          {CALL_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t.callStatus[s]}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t.calls.direction}</span>
        <select value={f.direction ?? ''} onChange={set('direction')}>
          <option value="">{t.common.any}</option>
          {CALL_DIRECTIONS.map((d) => (
            <option key={d} value={d}>
              {t.direction[d]}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t.common.agent}</span>
        <input value={f.agent ?? ''} onInput={set('agent')} placeholder={t.calls.agentHint} />
      </label>
      <label class="field">
        <span>{t.calls.testCalls}</span>
        <select value={f.test ?? ''} onChange={set('test')}>
          <option value="">{t.calls.testAll}</option>
          <option value="false">{t.calls.testNo}</option>
          <option value="true">{t.calls.testOnly}</option>
        </select>
      </label>
      {f.contact ? (
        <div class="field chip-field">
          <span>{t.calls.contact}</span>
          <button type="button" class="chip" onClick={() => setF({ ...f, contact: '' })}>
            #{f.contact} ✕
          </button>
        </div>
      ) : null}
    </FilterBar>
  );
}

function useCallHeaders(): string[] {
  const { t } = useI18n();
  return [
    t.calls.when,
    t.common.caller,
    t.calls.length,
    t.calls.outcome,
    t.calls.status,
    t.common.agent,
    t.calls.lead,
  ];
}

function CallRow({ c }: { c: CallView }) {
  const { t } = useI18n();
  return (
    <tr data-call-sid={c.callSid}>
      <td data-label={t.calls.when}>
        <Link href={`/calls/${c.callSid}`} class="row-link">
          <When iso={c.startedAt} />
        </Link>
        {c.test ? <Badge tone="neutral">{t.calls.test}</Badge> : null}
      </td>
      <td data-label={t.common.caller}>
        {c.contactName ? (
          <span class="name" dir="auto">
            {c.contactName}{' '}
          </span>
        ) : null}
        <Phone value={c.from} />
      </td>
      <td data-label={t.calls.length}>
        <Duration seconds={c.durationSec} />
      </td>
      <td data-label={t.calls.outcome}>
        <OutcomeBadge outcome={c.outcome} />
      </td>
      <td data-label={t.calls.status}>
        <CallStatusBadge status={c.status} />
      </td>
      <td data-label={t.common.agent}>{c.agentId ?? <span class="muted">—</span>}</td>
      <td data-label={t.calls.lead}>
        {c.lead?.status ? <LeadBadge status={c.lead.status} /> : <span class="muted">—</span>}
      </td>
    </tr>
  );
}

export function CallRows({ items }: { items: readonly CallView[] }) {
  return (
    <DataTable headers={useCallHeaders()}>
      {items.map((c) => (
        <CallRow key={c.callSid} c={c} />
      ))}
    </DataTable>
  );
}

export function CallsPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const { filters, key, go } = useQueryFilters('/calls', CALL_FILTERS);
  const list = usePaged(
    (cursor) => api.get<Page<CallView>>('/calls', { ...filters, limit: 50, cursor }),
    key,
  );
  const csv = `/api/v1/calls.csv${query.toString() ? `?${query.toString()}` : ''}`;
  return (
    <section>
      <PageHeader title={t.calls.title}>
        <a class="button" href={csv} download>
          {t.common.exportCsv}
        </a>
      </PageHeader>
      <FilterForm key={key} initial={filters} go={go} />
      <PagedTable
        list={list}
        headers={useCallHeaders()}
        empty={t.calls.none}
        row={(c) => <CallRow key={c.callSid} c={c} />}
      />
    </section>
  );
}
