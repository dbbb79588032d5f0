// The suite's own helpers: until() says what it waited for and what it last saw, keeps polling
// under fake timers; useCleanup() closes last-opened first and runs every closer.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Closers, useCleanup } from '../support/cleanup.js';
import { until } from '../support/until.js';

describe('until', () => {
  it('resolves with the first value that counts as arrived', async () => {
    let n = 0;
    await expect(until(() => (n += 1) >= 3 && n, 'three polls')).resolves.toBe(3);
    const rows = await until(async () => [n, n + 1], 'two rows', { is: (r) => r.length === 2 });
    expect(rows).toEqual([3, 4]);
  });

  it('times out naming what it waited for and the last value it saw', async () => {
    const seen = { marks: ['g0:100:1'] };
    await expect(
      until(() => seen, 'the tail mark', { is: (s) => s.marks.length > 1, timeoutMs: 30 }),
    ).rejects.toThrow(
      /^timed out after 30 ms waiting for the tail mark; last value: \{ marks: \[ 'g0:100:1' \] \}$/,
    );
    await expect(
      until(
        () => 0,
        () => `state ${seen.marks.length}`,
        { timeoutMs: 10 },
      ),
    ).rejects.toThrow('waiting for state 1; last value: 0');
  });

  it('fails at once when the probe throws', async () => {
    const started = performance.now();
    await expect(until(() => JSON.parse('{'), 'valid JSON', { timeoutMs: 5000 })).rejects.toThrow(
      SyntaxError,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('keeps polling while a test fakes the timers and the clock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      let polls = 0;
      await until(() => (polls += 1) === 3, 'three polls on the real clock');
      expect(polls).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('useCleanup', () => {
  const order: string[] = [];
  const defer = useCleanup();

  it('defers closers from a test', () => {
    defer(() => order.push('opened first'));
    defer(async () => {
      await new Promise((r) => setTimeout(r, 1));
      order.push('opened second');
    });
    expect(order).toEqual([]);
  });

  it('ran them after that test, last opened first', () => {
    expect(order).toEqual(['opened second', 'opened first']);
  });

  afterAll(() => {
    expect(order).toEqual(['opened second', 'opened first']);
  });

  it('runs every closer when one fails, then reports the failures', async () => {
    const closers = new Closers();
    const closed: number[] = [];
    closers.add(() => closed.push(1));
    closers.add(() => {
      throw new Error('socket already gone');
    });
    closers.add(() => closed.push(3));
    await expect(closers.closeAll()).rejects.toThrow('socket already gone');
    expect(closed).toEqual([3, 1]);
    closers.add(() => Promise.reject(new Error('a')));
    closers.add(() => Promise.reject(new Error('b')));
    await expect(closers.closeAll()).rejects.toMatchObject({ errors: [{ message: 'b' }, { message: 'a' }] });
    await expect(closers.closeAll()).resolves.toBeUndefined(); // forgotten once run
  });
});
