// Times in the configured zone (default Asia/Jerusalem) and call lengths, for both languages.
// Pure: the zone and language come in, Intl.DateTimeFormat does the calendar work.

export type Lang = 'he' | 'en';

export const DEFAULT_TIMEZONE = 'Asia/Jerusalem';

/** he-IL shows 24-hour times and day.month; en-GB keeps the same order and clock for English. */
const LOCALE: Record<Lang, string> = { he: 'he-IL', en: 'en-GB' };

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Lang, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${timeZone}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE[lang], { timeZone, ...options });
    cache.set(key, f);
  }
  return f;
}

function toDate(value: string | number | Date): Date | undefined {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isFinite(d.getTime()) ? d : undefined;
}

/** 04/12/2026, 14:05 — date and time in the zone; '' for a missing or invalid value. */
export function formatDateTime(
  value: string | number | Date | null | undefined,
  lang: Lang,
  timeZone: string,
): string {
  if (value === null || value === undefined) return '';
  const d = toDate(value);
  if (!d) return '';
  return formatter(lang, timeZone, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

/** 14:05:09 in the zone. */
export function formatClock(
  value: string | number | Date | null | undefined,
  lang: Lang,
  timeZone: string,
): string {
  if (value === null || value === undefined) return '';
  const d = toDate(value);
  if (!d) return '';
  return formatter(lang, timeZone, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

/** The calendar date (YYYY-MM-DD) of an instant in the zone: what a date filter means there. */
export function localDate(value: string | number | Date, timeZone: string): string {
  const d = toDate(value);
  if (!d) return '';
  const parts = formatter('en', timeZone, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** 0:07, 3:25, 1:02:03 — a call's length from seconds; '' when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '';
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Whole seconds from an ISO start to now (never negative: clocks differ a little). */
export function secondsSince(startIso: string, nowMs: number): number {
  const start = Date.parse(startIso);
  if (!Number.isFinite(start)) return 0;
  return Math.max(0, Math.floor((nowMs - start) / 1000));
}

/** Whether a string names a timezone Intl knows (a bad setting falls back instead of throwing). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
