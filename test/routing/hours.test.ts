// Weekly hours: parsing the spec, ranges across midnight, holidays (overnight ranges belong to
// the day they start), and Asia/Jerusalem's DST change days, found through Intl, not assumed.
import { describe, expect, it } from 'vitest';
import {
  compileHours,
  describeHours,
  localTime,
  openAt,
  parseDays,
  startOfLocalDay,
  utcOffsetMs,
  type HoursSpec,
  type WeeklyHours,
} from '../../src/routing/hours.js';

const TZ = 'Asia/Jerusalem';
const HOUR = 3_600_000;

function hours(spec: HoursSpec): WeeklyHours {
  const compiled = compileHours(spec);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
  return compiled.hours;
}

const open = (spec: HoursSpec, at: string, closed: string[] = []) =>
  openAt(hours(spec), new Set(closed), new Date(at), TZ);

/** The instants in a year where the zone's UTC offset changes (15-minute resolution, then exact to the minute). */
function transitions(year: number, timeZone: string): Date[] {
  const found: Date[] = [];
  const step = 15 * 60_000;
  let prev = utcOffsetMs(new Date(Date.UTC(year, 0, 1)), timeZone);
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += step) {
    const off = utcOffsetMs(new Date(t), timeZone);
    if (off !== prev) {
      let lo = t - step;
      while (utcOffsetMs(new Date(lo + 60_000), timeZone) === prev) lo += 60_000;
      found.push(new Date(lo + 60_000));
      prev = off;
    }
  }
  return found;
}

describe('the hours spec', () => {
  it('takes days, ranges of days (wrapping past Saturday), lists of ranges, "closed" and "always"', () => {
    expect(parseDays('sun-thu')).toEqual([0, 1, 2, 3, 4]);
    expect(parseDays('fri-sun')).toEqual([5, 6, 0]);
    expect(parseDays('Mon')).toEqual([1]);
    const h = hours({ 'sun-thu': ['08:00-12:00', '13:00-17:30'], fri: '22:00-02:00', sat: 'closed' });
    expect(h.days[0]).toEqual([
      { start: 480, end: 720 },
      { start: 780, end: 1050 },
    ]);
    expect(h.days[5]).toEqual([{ start: 1320, end: 1560 }]);
    expect(h.days[6]).toEqual([]);
    expect(hours({ sat: 'always', sun: '00:00-24:00' }).days[6]).toEqual([{ start: 0, end: 1440 }]);
    expect(hours({ always: true }).always).toBe(true);
  });

  it('names the key of every mistake', () => {
    const result = compileHours({
      'sun-thu': '9-18',
      mon: 'closed',
      xyz: 'closed',
      fri: '10:00-10:00',
      sat: [],
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([
      { key: 'sun-thu', message: '"9-18" is not a range like "09:00-18:00"' },
      { key: 'mon', message: 'mon is also covered by "sun-thu"; name each day once' },
      { key: 'xyz', message: expect.stringContaining('is not a day') },
      { key: 'fri', message: '"10:00-10:00" starts and ends at the same time' },
      { key: 'sat', message: 'must be "HH:MM-HH:MM", a list of them, "closed" or "always"' },
    ]);
    expect(compileHours({ always: true, sun: 'closed' }).ok).toBe(false);
    expect(compileHours({ always: false }).ok).toBe(false);
    expect(compileHours({}).ok).toBe(false);
    expect(compileHours({ sun: '24:00-02:00' }).ok).toBe(false);
    expect(compileHours({ sun: '25:00-26:00' }).ok).toBe(false);
  });

  it('reads back as one line for people', () => {
    expect(describeHours({ 'sun-thu': '09:00-18:00', fri: ['09:00-11:00', '12:00-13:00'] })).toBe(
      'sun-thu 09:00-18:00, fri 09:00-11:00 12:00-13:00',
    );
    expect(describeHours(null)).toBe('always');
  });
});

describe('open or not at an instant', () => {
  // 2026-09-18 is a Friday; Israel is on +03:00 in September.
  it('opens at the start minute and closes at the end minute', () => {
    const spec = { fri: '09:00-13:00' };
    expect(open(spec, '2026-09-18T08:59:59+03:00')).toBe('after-hours');
    expect(open(spec, '2026-09-18T09:00:00+03:00')).toBe('open');
    expect(open(spec, '2026-09-18T12:59:59+03:00')).toBe('open');
    expect(open(spec, '2026-09-18T13:00:00+03:00')).toBe('after-hours');
    expect(open(spec, '2026-09-19T10:00:00+03:00')).toBe('after-hours');
  });

  it('runs a range across midnight into the next day, Saturday into Sunday too', () => {
    const spec = { fri: '22:00-02:00', sat: '23:00-01:00' };
    expect(open(spec, '2026-09-18T21:59:00+03:00')).toBe('after-hours');
    expect(open(spec, '2026-09-18T22:00:00+03:00')).toBe('open');
    expect(open(spec, '2026-09-19T00:00:00+03:00')).toBe('open');
    expect(open(spec, '2026-09-19T01:59:00+03:00')).toBe('open');
    expect(open(spec, '2026-09-19T02:00:00+03:00')).toBe('after-hours');
    expect(open(spec, '2026-09-20T00:30:00+03:00')).toBe('open'); // Sunday, from Saturday's range
    expect(open(spec, '2026-09-20T01:00:00+03:00')).toBe('after-hours');
  });

  it('closes on a holiday in the local timezone, all day, even when "always" open', () => {
    // 2026-09-22 is a Tuesday; 22:30 UTC on the 21st is already the 22nd in Israel.
    expect(open({ always: true }, '2026-09-21T22:30:00Z', ['2026-09-22'])).toBe('holiday');
    expect(open({ always: true }, '2026-09-21T20:30:00Z', ['2026-09-22'])).toBe('open');
    expect(open({ 'sun-thu': '09:00-18:00' }, '2026-09-22T10:00:00+03:00', ['2026-09-22'])).toBe('holiday');
    expect(open({ 'sun-thu': '09:00-18:00' }, '2026-09-23T10:00:00+03:00', ['2026-09-22'])).toBe('open');
  });

  it('keeps an overnight range with the day it starts: a holiday ends or starts nothing it does not own', () => {
    const spec = { 'mon-tue': '20:00-02:00' };
    const holiday = ['2026-09-22'];
    // Monday's night runs into the holiday morning.
    expect(open(spec, '2026-09-22T01:00:00+03:00', holiday)).toBe('open');
    // The holiday's own night does not open, neither on the holiday nor after midnight.
    expect(open(spec, '2026-09-22T21:00:00+03:00', holiday)).toBe('holiday');
    expect(open(spec, '2026-09-23T01:00:00+03:00', holiday)).toBe('after-hours');
  });
});

describe('Asia/Jerusalem DST change days', () => {
  const [spring, autumn] = transitions(2026, TZ);

  it('changes clocks on 2026-03-27 (Friday) and 2026-10-25 (Sunday), per Intl', () => {
    expect(transitions(2026, TZ)).toHaveLength(2);
    expect(localTime(spring!, TZ)).toMatchObject({ date: '2026-03-27', weekday: 5, minute: 3 * 60 });
    expect(utcOffsetMs(new Date(spring!.getTime() - 1), TZ)).toBe(2 * HOUR);
    expect(utcOffsetMs(spring!, TZ)).toBe(3 * HOUR);
    expect(localTime(autumn!, TZ)).toMatchObject({ date: '2026-10-25', weekday: 0, minute: 60 });
    expect(utcOffsetMs(new Date(autumn!.getTime() - 1), TZ)).toBe(3 * HOUR);
    expect(utcOffsetMs(autumn!, TZ)).toBe(2 * HOUR);
  });

  it('opens at 09:00 local time on the spring day, in summer time', () => {
    const nine = spring!.getTime() + 6 * HOUR; // 03:00 local + 6 h
    expect(localTime(new Date(nine), TZ).minute).toBe(9 * 60);
    expect(openAt(hours({ fri: '09:00-13:00' }), new Set(), new Date(nine - 1000), TZ)).toBe('after-hours');
    expect(openAt(hours({ fri: '09:00-13:00' }), new Set(), new Date(nine), TZ)).toBe('open');
  });

  it('ends a night range across the skipped hour at the wall-clock end', () => {
    const night = hours({ thu: '22:00-02:30' });
    // 02:00–03:00 does not exist that night: one minute before the jump is still open, the jump is past 02:30.
    expect(openAt(night, new Set(), new Date(spring!.getTime() - 60_000), TZ)).toBe('open');
    expect(openAt(night, new Set(), spring!, TZ)).toBe('after-hours');
  });

  it('opens at 09:00 local time on the autumn day, in winter time, and keeps the repeated hour open twice', () => {
    const nine = autumn!.getTime() + 8 * HOUR; // 01:00 (second time) + 8 h
    expect(localTime(new Date(nine), TZ).minute).toBe(9 * 60);
    expect(openAt(hours({ sun: '09:00-18:00' }), new Set(), new Date(nine - 1000), TZ)).toBe('after-hours');
    expect(openAt(hours({ sun: '09:00-18:00' }), new Set(), new Date(nine), TZ)).toBe('open');
    const night = hours({ sat: '22:00-01:30' });
    const firstOneAm = new Date(autumn!.getTime() - HOUR);
    expect(localTime(firstOneAm, TZ).minute).toBe(60);
    expect(openAt(night, new Set(), firstOneAm, TZ)).toBe('open');
    expect(openAt(night, new Set(), autumn!, TZ)).toBe('open'); // 01:00 again
    expect(openAt(night, new Set(), new Date(autumn!.getTime() + 30 * 60_000), TZ)).toBe('after-hours');
  });

  it('starts those local days at midnight in the offset that midnight had', () => {
    const springNoon = new Date(spring!.getTime() + 9 * HOUR);
    expect(startOfLocalDay(springNoon, TZ).toISOString()).toBe('2026-03-26T22:00:00.000Z');
    const autumnNoon = new Date(autumn!.getTime() + 11 * HOUR);
    expect(startOfLocalDay(autumnNoon, TZ).toISOString()).toBe('2026-10-24T21:00:00.000Z');
    expect(startOfLocalDay(new Date('2026-07-01T00:30:00+03:00'), TZ).toISOString()).toBe(
      '2026-06-30T21:00:00.000Z',
    );
  });
});
