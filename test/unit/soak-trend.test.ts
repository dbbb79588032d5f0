// The soak's verdict (test/reliability/trend.ts): a count that climbs fails at any length; memory
// is judged only over a window long enough to tell warm-up from a leak, and then a steady climb
// fails while noise around a flat line passes.
import { describe, expect, it } from 'vitest';
import { MIN_MEMORY_WINDOW_SEC, trendOf } from '../reliability/trend.js';

const series = (seconds: number, step: number, value: (t: number, i: number) => number) =>
  Array.from({ length: Math.floor(seconds / step) + 1 }, (_, i) => ({ t: i * step, v: value(i * step, i) }));

describe('the soak trend', () => {
  it('fails a count that keeps climbing, even over two minutes', () => {
    expect(
      trendOf(
        'sessions',
        series(120, 2, (t) => 4 + Math.floor(t / 10)),
      ).rising,
    ).toBe(true);
    expect(
      trendOf(
        'sessions',
        series(120, 2, (_t, i) => 4 + (i % 3)),
      ).rising,
    ).toBe(false);
  });

  it('does not judge memory over a window shorter than the minimum', () => {
    const short = trendOf(
      'rss_mb',
      series(90, 2, (t) => 140 + t / 10),
    );
    expect(short).toMatchObject({ judged: false, rising: false });
  });

  it('fails memory that climbs steadily over a long window, passes noise on a flat line', () => {
    const long = MIN_MEMORY_WINDOW_SEC * 2;
    expect(
      trendOf(
        'rss_mb',
        series(long, 10, (t) => 140 + t / 20),
      ).rising,
    ).toBe(true); // +180 MB/h
    const flat = trendOf(
      'rss_mb',
      series(long, 10, (_t, i) => 140 + ((i * 7) % 5) - 2),
    );
    expect(flat).toMatchObject({ judged: true, rising: false });
  });
});
