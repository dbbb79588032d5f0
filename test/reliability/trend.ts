// What the soak samples from the server's /metrics (memory, handles, timers, every per-call
// table) and how it judges a series: a least-squares slope per hour and its standard error, so
// "no upward slope beyond noise" is a number, not a look at a chart.

export interface Sample {
  /** Seconds since the soak started. */
  t: number;
  values: Record<string, number>;
}

/** The series the soak watches, named as they are printed. */
export const WATCHED: Record<string, (m: Map<string, number>) => number | undefined> = {
  rss_mb: (m) => mb(m.get('process_resident_memory_bytes')),
  heap_used_mb: (m) => mb(m.get('nodejs_heap_size_used_bytes')),
  external_mb: (m) => mb(m.get('nodejs_external_memory_bytes')),
  handles: (m) => m.get('nodejs_active_handles_total'),
  timers: (m) => m.get('nodejs_active_resources{type="Timeout"}') ?? 0,
  sessions: (m) => m.get('agentlocator_call_state_entries{table="sessions"}'),
  flow_lookups: (m) => m.get('agentlocator_call_state_entries{table="flow_lookups"}'),
  event_subscribers: (m) => m.get('agentlocator_call_state_entries{table="event_subscribers"}'),
  test_calls: (m) => m.get('agentlocator_call_state_entries{table="test_calls_by_sid"}'),
};

/**
 * How much a series may rise per hour and still pass (after the noise allowance): memory a
 * few MB an hour (allocator and JIT warm-up), counts nothing at all.
 */
export const TOLERANCE_PER_HOUR: Record<string, number> = {
  rss_mb: 24,
  heap_used_mb: 12,
  external_mb: 12,
  handles: 0,
  timers: 0,
  sessions: 0,
  flow_lookups: 0,
  event_subscribers: 0,
  test_calls: 0,
};

/** Nor may it rise more than this over the whole window (below it, a short run's noise). */
export const TOLERANCE_ABSOLUTE: Record<string, number> = {
  rss_mb: 4,
  heap_used_mb: 4,
  external_mb: 4,
};
const COUNT_TOLERANCE_ABSOLUTE = 2;
/**
 * Memory is judged only over this much steady window: in the first minutes the allocator and the
 * JIT's code space still grow (a 2-minute run measured RSS at +500 MB/h), which no shorter run can
 * tell from a leak. Counts (handles, timers, per-call tables) are judged at any length.
 */
export const MIN_MEMORY_WINDOW_SEC = 300;

const mb = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / (1024 * 1024));

/** Prometheus text → `name{labels}` → value (comments skipped). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

export function sampleOf(t: number, metrics: Map<string, number>): Sample {
  const values: Record<string, number> = {};
  for (const [name, read] of Object.entries(WATCHED)) {
    const v = read(metrics);
    if (v !== undefined && Number.isFinite(v)) values[name] = v;
  }
  return { t, values };
}

export interface Trend {
  name: string;
  mean: number;
  /** Least-squares slope, units per hour. */
  perHour: number;
  /** Standard error of the slope, units per hour. */
  stdErrPerHour: number;
  /** Rises beyond noise: slope − 2·SE above the series' tolerance, per hour and over the window. */
  rising: boolean;
  /** false: a memory series over a window too short to judge (MIN_MEMORY_WINDOW_SEC). */
  judged: boolean;
}

export function trendOf(name: string, points: { t: number; v: number }[]): Trend {
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.t - mt) ** 2;
    sxy += (p.t - mt) * (p.v - mv);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  let sse = 0;
  for (const p of points) sse += (p.v - (mv + slope * (p.t - mt))) ** 2;
  const se = n > 2 && sxx > 0 ? Math.sqrt(sse / (n - 2) / sxx) : Infinity;
  const perHour = slope * 3600;
  const stdErrPerHour = se * 3600;
  const low = perHour - 2 * stdErrPerHour;
  const windowHours = n > 1 ? (points[n - 1]!.t - points[0]!.t) / 3600 : 0;
  const judged = !(name in TOLERANCE_ABSOLUTE) || windowHours * 3600 >= MIN_MEMORY_WINDOW_SEC;
  const rising =
    judged &&
    low > (TOLERANCE_PER_HOUR[name] ?? 0) &&
    low * windowHours > (TOLERANCE_ABSOLUTE[name] ?? COUNT_TOLERANCE_ABSOLUTE);
  return { name, mean: mv, perHour, stdErrPerHour, rising, judged };
}

/** Trends of every watched series over the samples after the warm-up. */
export function trends(samples: Sample[], warmupSec: number): Trend[] {
  const steady = samples.filter((s) => s.t >= warmupSec);
  return Object.keys(WATCHED)
    .map((name) =>
      trendOf(
        name,
        steady.filter((s) => name in s.values).map((s) => ({ t: s.t, v: s.values[name]! })),
      ),
    )
    .filter((t) => Number.isFinite(t.mean));
}
