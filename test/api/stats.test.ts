// GET /api/v1/stats: days counted in TIMEZONE across a DST change, results per day, leads, the
// median completed call and stream errors by Twilio code; the default range and bad ranges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../src/api/zoned-time.js';
import { makeCall } from '../support/crm-fixtures.js';
import { api, startCrmTestServer, type CrmTestServer } from './crm-app.js';

type Day = {
  date: string;
  calls: number;
  answered: number;
  transferred: number;
  voicemail: number;
  abandoned: number;
  leads: number;
};
type Stats = {
  timezone: string;
  days: Day[];
  totals: Omit<Day, 'date'>;
  medianDurationSec: number | null;
  streamErrors: { code: number | null; count: number }[];
};

describe('the stats API', () => {
  let s: CrmTestServer;
  beforeAll(async () => {
    s = await startCrmTestServer({ TIMEZONE: 'Asia/Jerusalem' });
  });
  afterAll(async () => s.stop());

  it('counts local days across the spring DST change, by result, with leads, median and stream errors', async () => {
    // Jerusalem moves from +2 to +3 at 2026-03-27T00:00Z (02:00 local).
    const at = (iso: string) => new Date(iso);
    await makeCall(s.store, { startedAt: at('2026-03-26T21:59:00Z'), result: 'answered', durationSec: 20 }); // 23:59 on the 26th
    await makeCall(s.store, {
      startedAt: at('2026-03-26T22:00:00Z'),
      result: 'voicemail',
      durationSec: 40,
      lead: { a: 1 },
    }); // 00:00 on the 27th
    await makeCall(s.store, {
      startedAt: at('2026-03-27T20:30:00Z'),
      result: 'transferred',
      durationSec: 90,
    }); // 23:30 on the 27th
    const errored = await makeCall(s.store, { startedAt: at('2026-03-27T21:30:00Z'), result: 'abandoned' }); // 00:30 on the 28th
    await makeCall(s.store, {
      startedAt: at('2026-03-27T10:00:00Z'),
      result: 'answered',
      durationSec: 500,
      test: true,
    });
    for (const code of [31920, 31920, null]) {
      await s.store.addCallEvent({
        callSid: errored.callSid,
        kind: 'stream-error',
        name: 'stream-error',
        twilioCode: code,
        at: at('2026-03-27T21:31:00Z'),
      });
    }

    const { status, body } = await api<Stats>(s, '/stats?from=2026-03-26&to=2026-03-28');
    expect(status).toBe(200);
    expect(body.timezone).toBe('Asia/Jerusalem');
    expect(body.days).toEqual([
      {
        date: '2026-03-26',
        calls: 1,
        live: 0,
        answered: 1,
        transferred: 0,
        voicemail: 0,
        abandoned: 0,
        leads: 0,
      },
      {
        date: '2026-03-27',
        calls: 2,
        live: 0,
        answered: 0,
        transferred: 1,
        voicemail: 1,
        abandoned: 0,
        leads: 1,
      },
      {
        date: '2026-03-28',
        calls: 1,
        live: 0,
        answered: 0,
        transferred: 0,
        voicemail: 0,
        abandoned: 1,
        leads: 0,
      },
    ]);
    expect(body.totals).toEqual({
      calls: 4,
      live: 0,
      answered: 1,
      transferred: 1,
      voicemail: 1,
      abandoned: 1,
      leads: 1,
    });
    expect(body.medianDurationSec).toBe(40); // 20, 40, 90: the test call's 500 is left out
    expect(body.streamErrors).toEqual([
      { code: 31920, count: 2 },
      { code: null, count: 1 },
    ]);
    const oneDay = await api<Stats>(s, '/stats?from=2026-03-27&to=2026-03-27');
    expect(oneDay.body.days.map((d) => [d.date, d.calls])).toEqual([['2026-03-27', 2]]);
  });

  it('defaults to the last 30 local days, today included, zero days filled in', async () => {
    const { body } = await api<Stats>(s, '/stats');
    expect(body.days).toHaveLength(30);
    expect(body.days.at(-1)!.date).toBe(localDate(Date.now(), 'Asia/Jerusalem'));
    expect(body.days.every((d) => Number.isInteger(d.calls))).toBe(true);
  });

  it('refuses a backwards range, one longer than 400 days and a bad date, naming the field', async () => {
    expect((await api(s, '/stats?from=2026-03-28&to=2026-03-27')).body).toMatchObject({ field: 'to' });
    expect((await api(s, '/stats?from=2025-01-01&to=2026-03-01')).body).toMatchObject({ field: 'from' });
    expect((await api(s, '/stats?from=2024-01-01')).body).toMatchObject({ field: 'from' });
    expect((await api(s, '/stats?from=26-03-2026')).body).toMatchObject({
      field: 'from',
      error: 'BAD_REQUEST',
    });
    expect((await api(s, '/stats?days=7')).body).toMatchObject({ field: 'days' });
  });
});
