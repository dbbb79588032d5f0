import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdleMemory } from '../../src/server/idle-memory.js';
import { until } from '../support/until.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('IdleMemory', () => {
  it('runs one full collection once no stream has been live for the delay', async () => {
    vi.useFakeTimers();
    const gc = vi.fn(() => Promise.resolve());
    const m = new IdleMemory(2000, gc);
    m.streamStarted();
    m.streamStarted();
    m.streamEnded();
    vi.advanceTimersByTime(5000);
    expect(gc).not.toHaveBeenCalled(); // one call is still live
    m.streamEnded();
    vi.advanceTimersByTime(1999);
    expect(gc).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(gc).toHaveBeenCalledTimes(1);
    expect(m.collections).toBe(1);
  });

  it('never collects during a call that started within the delay', () => {
    vi.useFakeTimers();
    const gc = vi.fn(() => Promise.resolve());
    const m = new IdleMemory(2000, gc);
    m.streamStarted();
    m.streamEnded();
    vi.advanceTimersByTime(1000);
    m.streamStarted();
    vi.advanceTimersByTime(5000);
    expect(gc).not.toHaveBeenCalled();
    m.dispose();
  });

  it('frees memory for real with the default collector', async () => {
    let garbage: object[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    const withGarbage = process.memoryUsage().heapUsed;
    garbage = undefined;
    const m = new IdleMemory(0);
    m.streamStarted();
    m.streamEnded();
    await until(() => m.collections, 'the collection');
    expect(m.collections).toBe(1);
    expect(garbage).toBeUndefined();
    expect(process.memoryUsage().heapUsed).toBeLessThan(withGarbage - 4 * 1024 * 1024);
  });
});
