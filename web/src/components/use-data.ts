// Loading a page's data: the value, the error, and reload() for after an edit; a response that
// arrives after the inputs changed (or the page closed) is dropped.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Data<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
  /** Replaces the value in place (after a PATCH answered the new record). */
  set(value: T): void;
}

export function useData<T>(load: () => Promise<T>, deps: readonly unknown[]): Data<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const mine = ++latest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (mine !== latest.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== latest.current) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => {
      // A later round (or unmount) makes this one stale.
      if (mine === latest.current) latest.current++;
    };
    // The caller names the inputs the loader depends on.
  }, [...deps, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload, set: setData };
}
