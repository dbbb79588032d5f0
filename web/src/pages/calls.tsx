// Calls: every call, newest first, with each filter GET /calls has (dates, status, outcome,
// agent, contact, direction, words, test calls); the filters live in the address, so a view can
// be shared; "load more" follows the cursor.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { CALL_DIRECTIONS, CALL_OUTCOMES, CALL_STATUSES, type CallView, type Page } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Link, navigate, useLocation } from '../router.js';
import { Badge, Duration, Empty, ErrorNote, Loading, PageHeader, Phone, When } from '../components/ui.js';
import { CallStatusBadge, LeadBadge, OutcomeBadge } from '../components/status.js';
import { usePaged } from '../components/paged.js';

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
type Filters = Partial<Record<FilterName, string>>;

function filtersOf(query: URLSearchParams): Filters {
  const out: Filters = {};
  for (const name of CALL_FILTERS) {
    const value = query.get(name);
    if (value) out[name] = value;
  }
  return out;
}

function FilterForm({ initial }: { initial: Filters }) {
  const { t } = useI18n();
  const [f, setF] = useState<Filters>(initial);
  const set = (name: FilterName) => (e: { currentTarget: { value: string } }) =>
    setF({ ...f, [name]: e.currentTarget.value });
  const apply = (e: Event) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const name of CALL_FILTERS) if (f[name]) params.set(name, f[name] ?? '');
    const qs = params.toString();
    navigate(qs ? `/calls?${qs}` : '/calls');
  };
  return (
    <form class="filters card" onSubmit={apply} aria-label={t.calls.filters}>
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
      <div class="filter-buttons">
        <button type="submit" class="primary">
          {t.calls.apply}
        </button>
        <button
          type="button"
          onClick={() => {
            setF({});
            navigate('/calls');
          }}
        >
          {t.calls.clear}
        </button>
      </div>
    </form>
  );
}

export function CallRows({ items }: { items: readonly CallView[] }) {
  const { t } = useI18n();
  return (
    <table class="table responsive">
      <thead>
        <tr>
          <th>{t.calls.when}</th>
          <th>{t.common.caller}</th>
          <th>{t.calls.length}</th>
          <th>{t.calls.outcome}</th>
          <th>{t.calls.status}</th>
          <th>{t.common.agent}</th>
          <th>{t.calls.lead}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.callSid} data-call-sid={c.callSid}>
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
        ))}
      </tbody>
    </table>
  );
}

export function CallsPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const filters = filtersOf(query);
  const key = JSON.stringify(filters);
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
      <FilterForm key={key} initial={filters} />
      {list.error !== undefined ? <ErrorNote error={list.error} /> : null}
      {list.items.length > 0 ? <CallRows items={list.items} /> : null}
      {list.loading ? (
        <Loading />
      ) : list.items.length === 0 && list.error === undefined ? (
        <Empty>{t.calls.none}</Empty>
      ) : null}
      {list.hasMore && !list.loading ? (
        <button type="button" class="load-more" onClick={list.loadMore}>
          {t.common.loadMore}
        </button>
      ) : null}
    </section>
  );
}
