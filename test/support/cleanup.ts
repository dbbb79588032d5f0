// The suite's one cleanup stack: what a test opens (servers, sockets, emulators) is closed after
// it, last opened first, and every closer runs even when an earlier one fails.
import { afterEach } from 'vitest';

export type Closer = () => unknown;

export class Closers {
  private readonly stack: Closer[] = [];

  add(close: Closer): void {
    this.stack.push(close);
  }

  /** Runs and forgets every closer, newest first; then throws the failure(s), if any. */
  async closeAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const close of this.stack.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} closers failed`);
  }
}

/**
 * Call at a file's (or describe's) top level: registers the afterEach and returns `defer`, which
 * a test or its helpers call with a closer for each thing they open.
 */
export function useCleanup(): (close: Closer) => void {
  const closers = new Closers();
  afterEach(() => closers.closeAll());
  return (close) => closers.add(close);
}
