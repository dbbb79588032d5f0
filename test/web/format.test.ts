// The dashboard's pure display helpers: Israeli phone forms, times in the configured zone (with
// its daylight-saving changes), call lengths, numbers and hours typed into the directory.
import { describe, expect, it } from 'vitest';
import { formatPhone, telHref, toE164 } from '../../web/src/format/phone.js';
import { parseHoursInput } from '../../web/src/format/hours-input.js';
import {
  formatClock,
  formatDateTime,
  formatDuration,
  isTimeZone,
  localDate,
  secondsSince,
} from '../../web/src/format/time.js';

describe('formatPhone', () => {
  it('shows Israeli mobiles from E.164 as 05X-XXX-XXXX', () => {
    expect(formatPhone('+972501234567')).toBe('050-123-4567');
    expect(formatPhone('+972541112233')).toBe('054-111-2233');
  });

  it('shows Israeli landlines with their one-digit area code', () => {
    expect(formatPhone('+97221234567')).toBe('02-123-4567');
    expect(formatPhone('+97236543210')).toBe('03-654-3210');
    expect(formatPhone('+97297654321')).toBe('09-765-4321');
  });

  it('shows VoIP 07X numbers and 1-800 numbers the local way', () => {
    expect(formatPhone('+972771234567')).toBe('077-123-4567');
    expect(formatPhone('+9721800123456')).toBe('1-800-123-456');
    expect(formatPhone('1700123456')).toBe('1-700-123-456');
  });

  it('reads numbers typed locally, with spaces or dashes', () => {
    expect(formatPhone('0501234567')).toBe('050-123-4567');
    expect(formatPhone('050 123 4567')).toBe('050-123-4567');
    expect(formatPhone('02-1234567')).toBe('02-123-4567');
  });

  it('shows foreign numbers in international form with the country code apart', () => {
    expect(formatPhone('+12125551234')).toBe('+1 212-555-1234');
    expect(formatPhone('+442079460958')).toBe('+44 2079460958');
    expect(formatPhone('+380441234567')).toBe('+380 441234567');
  });

  it('leaves what is not a number unchanged and an Israeli number of odd length compact', () => {
    expect(formatPhone('anonymous')).toBe('anonymous');
    expect(formatPhone('client:alice')).toBe('client:alice');
    expect(formatPhone('+97212')).toBe('+97212');
    expect(formatPhone(null)).toBe('');
  });

  it('links only dialable numbers', () => {
    expect(telHref('+972501234567')).toBe('tel:+972501234567');
    expect(telHref('client:alice')).toBeUndefined();
    expect(telHref(null)).toBeUndefined();
  });
});

describe('times in the configured zone', () => {
  it('shows an instant in Jerusalem time, winter (UTC+2) and summer (UTC+3)', () => {
    expect(formatDateTime('2026-12-04T12:05:00Z', 'en', 'Asia/Jerusalem')).toBe('04/12/2026, 14:05');
    expect(formatDateTime('2026-07-04T12:05:00Z', 'en', 'Asia/Jerusalem')).toBe('04/07/2026, 15:05');
    expect(formatDateTime('2026-12-04T12:05:00Z', 'he', 'Asia/Jerusalem')).toBe('04.12.2026, 14:05');
  });

  it('follows another configured zone', () => {
    expect(formatDateTime('2026-12-04T12:05:00Z', 'en', 'America/New_York')).toBe('04/12/2026, 07:05');
    expect(formatClock('2026-12-04T12:05:09Z', 'en', 'UTC')).toBe('12:05:09');
  });

  it('puts a late-evening UTC instant on the next local day', () => {
    expect(localDate('2026-07-04T21:30:00Z', 'Asia/Jerusalem')).toBe('2026-07-05');
    expect(localDate('2026-07-04T21:30:00Z', 'UTC')).toBe('2026-07-04');
  });

  it('shows nothing for a missing or broken time rather than "Invalid Date"', () => {
    expect(formatDateTime(null, 'he', 'Asia/Jerusalem')).toBe('');
    expect(formatDateTime('not a time', 'he', 'Asia/Jerusalem')).toBe('');
    expect(formatClock(undefined, 'en', 'UTC')).toBe('');
  });

  it('knows a real zone from a typo', () => {
    expect(isTimeZone('Asia/Jerusalem')).toBe(true);
    expect(isTimeZone('Asia/Jerusalm')).toBe(false);
  });
});

describe('call lengths', () => {
  it('writes m:ss under an hour and h:mm:ss over it', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(205)).toBe('3:25');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(null)).toBe('');
    expect(formatDuration(-1)).toBe('');
  });

  it('counts a live call from its start, never below zero', () => {
    const start = '2026-12-04T12:00:00.000Z';
    expect(secondsSince(start, Date.parse(start) + 65_400)).toBe(65);
    expect(secondsSince(start, Date.parse(start) - 2000)).toBe(0);
    expect(secondsSince('garbage', Date.now())).toBe(0);
  });
});

describe('numbers typed into the directory', () => {
  it('stores Israeli local numbers as E.164 and leaves SIP and client addresses alone', () => {
    expect(toE164('050-123-4567')).toBe('+972501234567');
    expect(toE164(' 03 123 4567 ')).toBe('+97231234567');
    expect(toE164('+972 52 765 4321')).toBe('+972527654321');
    expect(toE164('sip:dana@pbx.example.com')).toBe('sip:dana@pbx.example.com');
    expect(toE164('client:dana')).toBe('client:dana');
    // Not a number we can read: sent as typed, for the server to name what is wrong.
    expect(toE164('12')).toBe('12');
  });
});

describe('opening hours typed into the directory', () => {
  it('splits days and ranges the way the server words them', () => {
    expect(parseHoursInput('sun-thu 09:00-18:00, fri 09:00-13:00')).toEqual({
      hours: { 'sun-thu': '09:00-18:00', fri: '09:00-13:00' },
    });
    expect(parseHoursInput('Sat closed;')).toEqual({ hours: { sat: 'closed' } });
    expect(parseHoursInput('  ')).toEqual({ hours: undefined });
    expect(parseHoursInput('always')).toEqual({ hours: undefined });
    expect(parseHoursInput('sun-thu 09:00-18:00, weekdays nine to five')).toEqual({
      error: 'weekdays nine to five',
    });
  });
});
