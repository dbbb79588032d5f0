// Calendar days in the configured time zone (Asia/Jerusalem by default), DST-correct, from the
// runtime's own zone database (Intl). Pure: no I/O, no clock.
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

function wallClock(ms: number, zone: string) {
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(ms)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The zone's UTC offset at an instant, in ms (Asia/Jerusalem: +2 h in winter, +3 h in summer). */
export function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** `YYYY-MM-DD` of the instant in the zone. */
export function localDate(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`;
}

/** `YYYY-MM-DD HH:mm:ss` of the instant in the zone (what a spreadsheet shows). */
export function localDateTime(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
}

/** The instant a local day (`YYYY-MM-DD`) begins in the zone. */
export function startOfLocalDay(date: string, zone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  // The offset at the wall time read as UTC is off by at most one DST step; a second look settles it.
  const guess = wall - offsetAt(wall, zone);
  return wall - offsetAt(guess, zone);
}

/** The calendar date `n` days after `date` (both `YYYY-MM-DD`). */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The local date a day index (floor((utc + offset) / 1 day)) stands for. */
export function dateOfDayIndex(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** [from, to) cut where the zone's offset changes, each piece with its offset. */
export function offsetSegments(
  fromMs: number,
  toMs: number,
  zone: string,
): { from: Date; to: Date; offsetMs: number }[] {
  const segments: { from: Date; to: Date; offsetMs: number }[] = [];
  const step = DAY_MS / 2; // zones change offset at most once in any 12 hours
  let start = fromMs;
  let offset = offsetAt(start, zone);
  for (let t = fromMs; t < toMs;) {
    const next = Math.min(t + step, toMs);
    if (offsetAt(next, zone) !== offset) {
      // The first ms with the new offset lies in (t, next].
      let lo = t;
      let hi = next;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(mid, zone) === offset) lo = mid;
        else hi = mid;
      }
      segments.push({ from: new Date(start), to: new Date(hi), offsetMs: offset });
      start = hi;
      offset = offsetAt(hi, zone);
    }
    t = next;
  }
  segments.push({ from: new Date(start), to: new Date(toMs), offsetMs: offset });
  return segments.filter((s) => s.from < s.to);
}
