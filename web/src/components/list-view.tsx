// What the list pages (Calls, Leads, Contacts) share: filters kept in the address, the filter
// card, and the paged table with its loading, empty and "load more" states.
import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/i18n.js';
import { navigate, useLocation } from '../router.js';
import type { Paged } from './paged.js';
import { Empty, ErrorNote, Loading } from './ui.js';

export type Filters<N extends string> = Partial<Record<N, string>>;

/** The page's filters, read from its query string, and go() to show other ones. */
export function useQueryFilters<N extends string>(
  base: string,
  names: readonly N[],
): { filters: Filters<N>; key: string; go(next: Filters<N>): void } {
  const { query } = useLocation();
  const filters: Filters<N> = {};
  for (const name of names) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  const go = (next: Filters<N>) => {
    const params = new URLSearchParams();
    for (const name of names) {
      const value = next[name]?.trim();
      if (value) params.set(name, value);
    }
    const qs = params.toString();
    navigate(qs ? `${base}?${qs}` : base);
  };
  return { filters, key: JSON.stringify(filters), go };
}

/** The filter card: its fields, then Apply (and Clear, when given). */
export function FilterBar({
  label,
  onApply,
  onClear,
  children,
}: {
  label?: string;
  onApply(): void;
  onClear?: () => void;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <form
      class="filters card"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        onApply();
      }}
    >
      {children}
      <div class="filter-buttons">
        <button type="submit" class="primary">
          {t.calls.apply}
        </button>
        {onClear ? (
          <button type="button" onClick={onClear}>
            {t.calls.clear}
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** A table that turns into labelled cards on a phone (each cell carries data-label). */
export function DataTable({
  headers,
  children,
}: {
  headers: readonly string[];
  children: ComponentChildren;
}) {
  return (
    <table class="table responsive">
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A cursor-paged list as a table: the error, the rows, loading / nothing found, load more. */
export function PagedTable<T>({
  list,
  headers,
  empty,
  row,
}: {
  list: Paged<T>;
  headers: readonly string[];
  empty: string;
  row(item: T): ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <>
      {list.error !== undefined ? <ErrorNote error={list.error} /> : null}
      {list.items.length > 0 ? <DataTable headers={headers}>{list.items.map(row)}</DataTable> : null}
      {list.loading ? (
        <Loading />
      ) : list.items.length === 0 && list.error === undefined ? (
        <Empty>{empty}</Empty>
      ) : null}
      {list.hasMore && !list.loading ? (
        <button type="button" class="load-more" onClick={list.loadMore}>
          {t.common.loadMore}
        </button>
      ) : null}
    </>
  );
}
