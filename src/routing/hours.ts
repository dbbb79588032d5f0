// Weekly opening hours in an IANA timezone: compiling the directory's hours spec and asking whether
// an instant is inside it. Pure. Wall-clock time comes from Intl, so DST change days are right by
// construction; a range that crosses midnight belongs to the day it starts (holidays included).

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type DayName = (typeof DAYS)[number];

const MINUTES_PER_DAY = 24 * 60;

/** Minutes after local midnight; `end` > 1440 spills into the next day (an overnight range). */
export interface TimeRange {
  start: number;
  end: number;
}

/** Compiled hours: `days[0]` is Sunday. */
export interface WeeklyHours {
  always: boolean;
  days: readonly (readonly TimeRange[])[];
}

/** The file's shape: `{ always: true }`, or day keys (`sun`, `sun-thu`) to ranges or "closed". */
export type HoursSpec = Record<string, unknown>;

export interface HoursIssue {
  /** The key of the spec the problem is under ('' for the spec itself). */
  key: string;
  message: string;
}

export type CompiledHours = { ok: true; hours: WeeklyHours } | { ok: false; issues: HoursIssue[] };

export const ALWAYS_OPEN: WeeklyHours = { always: true, days: DAYS.map(() => []) };

const CLOCK = /^([01]\d|2[0-4]):([0-5]\d)$/;

function clock(text: string): number | undefined {
  const m = CLOCK.exec(text.trim());
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= MINUTES_PER_DAY ? minutes : undefined;
}

/** "09:00-18:00" → {540, 1080}; "22:00-02:00" → {1320, 1560}; "00:00-24:00" is the whole day. */
export function parseRange(text: string): TimeRange | string {
  const parts = text.split('-');
  const start = parts.length === 2 ? clock(parts[0] ?? '') : undefined;
  const end = parts.length === 2 ? clock(parts[1] ?? '') : undefined;
  if (start === undefined || end === undefined) return `"${text}" is not a range like "09:00-18:00"`;
  if (start === MINUTES_PER_DAY) return `"${text}" starts at 24:00; start at 00:00 instead`;
  if (start === end) return `"${text}" starts and ends at the same time`;
  return { start, end: end > start ? end : end + MINUTES_PER_DAY };
}

/** "sun-thu" → [0..4]; "fri-sun" wraps → [5, 6, 0]; "mon" → [1]. */
export function parseDays(key: string): number[] | string {
  const names = key.split('-');
  const index = names.map((n) => DAYS.indexOf(n.trim().toLowerCase() as DayName));
  if (names.length > 2 || index.some((i) => i < 0))
    return `"${key}" is not a day (sun, mon, tue, wed, thu, fri, sat) or a range of days like "sun-thu"`;
  const [from, to = from] = index as [number, number?];
  const days: number[] = [];
  for (let d = from; ; d = (d + 1) % 7) {
    days.push(d);
    if (d === to) break;
  }
  return days;
}

/** Validates and compiles a spec; issues name the key they are under. */
export function compileHours(spec: HoursSpec): CompiledHours {
  const issues: HoursIssue[] = [];
  const keys = Object.keys(spec);
  if ('always' in spec) {
    if (spec.always !== true) issues.push({ key: 'always', message: 'must be true (use "closed" per day)' });
    else if (keys.length > 1)
      issues.push({ key: '', message: '"always: true" cannot be combined with days' });
    return issues.length ? { ok: false, issues } : { ok: true, hours: ALWAYS_OPEN };
  }
  if (keys.length === 0) issues.push({ key: '', message: 'names no days; use { always: true } or days' });
  const days: TimeRange[][] = DAYS.map(() => []);
  const owner = new Map<number, string>();
  for (const key of keys) {
    const indexes = parseDays(key);
    if (typeof indexes === 'string') {
      issues.push({ key, message: indexes });
      continue;
    }
    const ranges = dayRanges(spec[key], key, issues);
    for (const d of indexes) {
      const other = owner.get(d);
      if (other !== undefined) {
        issues.push({ key, message: `${DAYS[d]} is also covered by "${other}"; name each day once` });
        continue;
      }
      owner.set(d, key);
      days[d] = ranges;
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true, hours: { always: false, days } };
}

function dayRanges(value: unknown, key: string, issues: HoursIssue[]): TimeRange[] {
  if (value === 'closed') return [];
  if (value === 'always') return [{ start: 0, end: MINUTES_PER_DAY }];
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string')) {
    issues.push({ key, message: 'must be "HH:MM-HH:MM", a list of them, "closed" or "always"' });
    return [];
  }
  const ranges: TimeRange[] = [];
  for (const text of list as string[]) {
    const range = parseRange(text);
    if (typeof range === 'string') issues.push({ key, message: range });
    else ranges.push(range);
  }
  return ranges;
}

export interface LocalTime {
  /** The local calendar date, YYYY-MM-DD. */
  date: string;
  /** 0 = Sunday. */
  weekday: number;
  /** Minutes after local midnight. */
  minute: number;
}

// Formatters are costly to create and immutable: one per timezone for the process.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallClock(
  at: number,
  timeZone: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  return {
    y: Number(parts.year),
    mo: Number(parts.month),
    d: Number(parts.day),
    h: Number(parts.hour) % 24,
    mi: Number(parts.minute),
    s: Number(parts.second),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

export function localTime(at: Date, timeZone: string): LocalTime {
  const w = wallClock(at.getTime(), timeZone);
  return {
    date: `${w.y}-${pad(w.mo)}-${pad(w.d)}`,
    weekday: new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay(),
    minute: w.h * 60 + w.mi,
  };
}

/** The zone's offset from UTC at an instant, in ms (Asia/Jerusalem: +2 h in winter, +3 h in summer). */
export function utcOffsetMs(at: Date, timeZone: string): number {
  const ms = Math.floor(at.getTime() / 1000) * 1000;
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - ms;
}

/** The instant the local day containing `at` began (for "answered today"). */
export function startOfLocalDay(at: Date, timeZone: string): Date {
  const { date } = localTime(at, timeZone);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const midnightUtc = Date.UTC(y, m - 1, d);
  // Two passes: the offset at local midnight can differ from the offset at `at` on a DST day.
  let guess = midnightUtc - utcOffsetMs(new Date(midnightUtc), timeZone);
  guess = midnightUtc - utcOffsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

function previousDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

export type OpenState = 'open' | 'holiday' | 'after-hours';

/**
 * Whether hours are open at a local time. Today's ranges count unless today is a holiday;
 * yesterday's overnight ranges count into today unless yesterday was one.
 */
export function openState(hours: WeeklyHours, closed: ReadonlySet<string>, lt: LocalTime): OpenState {
  const holiday = closed.has(lt.date);
  if (hours.always) return holiday ? 'holiday' : 'open';
  if (!holiday && (hours.days[lt.weekday] ?? []).some((r) => r.start <= lt.minute && lt.minute < r.end))
    return 'open';
  const yesterday = (lt.weekday + 6) % 7;
  const spill = (hours.days[yesterday] ?? []).some(
    (r) => r.end > MINUTES_PER_DAY && lt.minute < r.end - MINUTES_PER_DAY,
  );
  if (spill && !closed.has(previousDate(lt.date))) return 'open';
  return holiday ? 'holiday' : 'after-hours';
}

/** `openState` for an instant in a timezone. */
export function openAt(
  hours: WeeklyHours,
  closed: ReadonlySet<string>,
  at: Date,
  timeZone: string,
): OpenState {
  return openState(hours, closed, localTime(at, timeZone));
}

/** The spec as one line for people: `sun-thu 09:00-18:00, fri 09:00-13:00`. */
export function describeHours(spec: HoursSpec | null): string {
  if (spec === null || spec.always === true) return 'always';
  return Object.entries(spec)
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(' ') : String(value)}`)
    .join(', ');
}
