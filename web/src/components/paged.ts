// A cursor-paged list: the first page for the current filters, then "load more" appends the
// next; a change of filters starts over.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from '../api/types.js';

export interface Paged<T> {
  items: T[];
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore(): void;
  reload(): void;
  /** Replaces one item in place (after a PATCH answered the new record). */
  replace(match: (item: T) => boolean, value: T): void;
}

export function usePaged<T>(load: (cursor: string | undefined) => Promise<Page<T>>, key: string): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [round, setRound] = useState(0);
  const generation = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  const fetchPage = useCallback((after: string | undefined, append: boolean) => {
    const mine = generation.current;
    setLoading(true);
    loader.current(after).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((old) => (append ? [...old, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    generation.current++;
    setItems([]);
    setCursor(null);
    fetchPage(undefined, false);
  }, [key, round, fetchPage]);

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore: () => {
      if (cursor !== null && !loading) fetchPage(cursor, true);
    },
    reload: () => setRound((r) => r + 1),
    replace: (match, value) => setItems((old) => old.map((item) => (match(item) ? value : item))),
  };
}
