// The suite's one poller: waits for a condition another socket, process or timer will make true,
// and on timeout says what it was waiting for and what it last saw, not just "timed out".
import { inspect } from 'node:util';

// Taken at load: a test that fakes timers or the clock (vi.useFakeTimers) must not freeze the poller.
const realSetTimeout = globalThis.setTimeout;
const clock = performance.now.bind(performance);

export interface UntilOptions<T> {
  /** When the probe's value counts as arrived; by default when it is truthy. */
  is?: (value: T) => boolean;
  /** Default 10 s: well under the test timeout, generous on a loaded two-core machine. */
  timeoutMs?: number;
  everyMs?: number;
}

type Falsy = null | undefined | false | 0 | '';

/**
 * Calls `probe` every few ms until its value counts as arrived (truthy, or `opts.is` holds) and
 * resolves with that value. On timeout it rejects naming `what` (a function is called only then,
 * for state worth showing) and the last value. An exception from the probe fails at once.
 */
export function until<T>(
  probe: () => T | Promise<T>,
  what: string | (() => string),
  opts: UntilOptions<Awaited<T>> & Required<Pick<UntilOptions<Awaited<T>>, 'is'>>,
): Promise<Awaited<T>>;
export function until<T>(
  probe: () => T | Promise<T>,
  what: string | (() => string),
  opts?: Omit<UntilOptions<Awaited<T>>, 'is'>,
): Promise<Exclude<Awaited<T>, Falsy>>;
export async function until<T>(
  probe: () => T | Promise<T>,
  what: string | (() => string),
  opts: UntilOptions<Awaited<T>> = {},
): Promise<Awaited<T>> {
  const { is = Boolean, timeoutMs = 10_000, everyMs = 5 } = opts;
  const deadline = clock() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (is(value)) return value;
    if (clock() > deadline) {
      const awaited = typeof what === 'string' ? what : what();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${awaited}; last value: ${show(value)}`);
    }
    await new Promise((resolve) => realSetTimeout(resolve, everyMs));
  }
}

function show(value: unknown): string {
  const text = inspect(value, { depth: 3, breakLength: Infinity, maxArrayLength: 20 });
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}
