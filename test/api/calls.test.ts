// GET /api/v1/calls and /calls/:callSid over HTTP: cursor pages that hold while webhooks add
// calls, every filter, the field named in each 400, the whole call in its detail, agent scoping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCall } from '../support/crm-fixtures.js';
import { incomingCallParams, newCallSid, postSigned } from '../support/server.js';
import { api, as, startCrmTestServer, type CrmTestServer } from './crm-app.js';

interface CallItem {
  callSid: string;
  from: string;
  outcome: string;
  test: boolean;
  lead: { id: number; status: string } | null;
  [key: string]: unknown;
}
type CallPage = { items: CallItem[]; nextCursor: string | null };

describe('the calls API', () => {
  let s: CrmTestServer;
  beforeAll(async () => {
    s = await startCrmTestServer({ TIMEZONE: 'Asia/Jerusalem' });
  });
  afterAll(async () => s.stop());

  const pageAll = async (query: string, headers: Record<string, string> = {}) => {
    const seen: CallItem[] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: CallPage } = await api<CallPage>(
        s,
        `/calls?${query}&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        { headers },
      );
      expect(status).toBe(200);
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    return seen;
  };

  it('pages newest first with an opaque cursor, stable while webhooks add calls', async () => {
    const seeded = [];
    for (let i = 0; i < 17; i++)
      seeded.push((await makeCall(s.store, { startMs: i * 1000, agentId: 'pager' })).callSid);
    const seen: string[] = [];
    let cursor: string | null = null;
    let landed = 0;
    do {
      const { body }: { body: CallPage } = await api<CallPage>(
        s,
        `/calls?agent=pager&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...body.items.map((c) => c.callSid));
      // A real incoming call lands between every two pages.
      const callSid = newCallSid();
      expect(
        (await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid))).status,
      ).toBe(200);
      await s.store.markAgentAnswered(callSid, 'pager', new Date());
      landed += 1;
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seeded].reverse());
    const fresh = await api<CallPage>(s, `/calls?agent=pager&limit=200`);
    expect(fresh.body.items).toHaveLength(17 + landed);
  });

  it('filters by outcome, status, direction, test, contact and free text (05x or E.164)', async () => {
    const voicemail = await makeCall(s.store, { startMs: 100, result: 'voicemail', from: '+972521234567' });
    const test = await makeCall(s.store, {
      startMs: 200,
      result: 'answered',
      test: true,
      summary: 'בדיקה פנימית',
    });
    const ids = async (query: string) => (await pageAll(query)).map((c) => c.callSid);

    expect(await ids('outcome=voicemail')).toEqual([voicemail.callSid]);
    expect(await ids('q=052-123-4567')).toEqual([voicemail.callSid]);
    expect(await ids('q=%2B972521234567')).toEqual([voicemail.callSid]);
    expect(await ids('test=true')).toEqual([test.callSid]);
    expect(await ids('q=פנימית&test=1')).toEqual([test.callSid]);
    expect(await ids('q=פנימית&test=false')).toEqual([]);
    const contactId = (await s.store.getContactByPhone(voicemail.from))!.id;
    expect(await ids(`contact=${contactId}`)).toEqual([voicemail.callSid]);
    const canceled = await makeCall(s.store, {
      startMs: 300,
      result: 'abandoned',
      direction: 'outbound-dial',
    });
    expect(await ids('status=canceled&direction=outbound')).toEqual([canceled.callSid]);
  });

  it('reads from/to as whole days in TIMEZONE, or as exact ISO instants', async () => {
    // 21:30 UTC on 2026-12-01 is 23:30 in Jerusalem: still the 1st there.
    const late = await makeCall(s.store, { startedAt: new Date('2026-12-01T21:30:00Z'), agentId: 'tz' });
    const ids = async (query: string) => (await pageAll(`agent=tz&${query}`)).map((c) => c.callSid);
    expect(await ids('from=2026-12-01&to=2026-12-01')).toEqual([late.callSid]);
    expect(await ids('from=2026-12-02')).toEqual([]);
    expect(await ids('from=2026-12-01T23:00:00%2B02:00')).toEqual([late.callSid]);
    expect(await ids('to=2026-12-01T21:30:00Z')).toEqual([]);
  });

  it('answers 400 naming the field for every bad query', async () => {
    const cases: [string, string][] = [
      ['status=ringingg', 'status'],
      ['outcome=happy', 'outcome'],
      ['limit=201', 'limit'],
      ['limit=0', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify({ t: 1e300, s: 'CA1' })).toString('base64url')}`, 'cursor'],
      ['from=2026-02-30', 'from'],
      ['from=yesterday', 'from'],
      ['from=2026-12-02&to=2026-12-01', 'to'],
      ['contact=abc', 'contact'],
      ['direction=sideways', 'direction'],
      ['test=maybe', 'test'],
      ['q=', 'q'],
      ['stauts=completed', 'stauts'],
      ['status=completed&status=busy', 'status'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await api(s, `/calls?${query}`);
      expect({ query, status, field: body.field }).toEqual({ query, status: 400, field });
      expect(body).toMatchObject({
        error: 'BAD_REQUEST',
        message: expect.stringMatching(new RegExp(`^${field}: `)),
      });
    }
    expect((await api(s, '/calls/CA123')).body).toMatchObject({ field: 'callSid' });
  });

  it('returns one call with its contact, timeline, streams, transcript, recordings, lead and transfers', async () => {
    const c = await makeCall(s.store, {
      result: 'transferred',
      summary: 'רוצה משכנתא',
      transcript: 'שלום, אני רוצה משכנתא',
      lead: { name: 'דנה', need: 'mortgage' },
    });
    await s.store.addCallEvent({
      callSid: c.callSid,
      kind: 'transfer',
      name: 'ringing',
      detail: { agentId: 'dana' },
      at: new Date(),
    });
    await s.store.upsertRecording({
      recordingSid: `LC${'a'.repeat(32)}`,
      callSid: c.callSid,
      url: `${s.dataDir}/calls/${c.callSid}/call.wav`,
      durationSec: 3,
      status: 'completed',
      source: 'call-audio',
      at: new Date(),
    });
    const { status, body } = await api<Record<string, never>>(s, `/calls/${c.callSid}`);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(
      [
        'call',
        'contact',
        'events',
        'lead',
        'recordings',
        'streams',
        'summary',
        'transcript',
        'transfers',
      ].sort(),
    );
    expect(body.call).toMatchObject({
      callSid: c.callSid,
      outcome: 'transferred',
      outcomeDetail: 'transferred: sales',
    });
    expect(body.call).not.toHaveProperty('accountSid');
    expect(body.contact).toMatchObject({ phone: c.from, callCount: 1 });
    expect(body.lead).toMatchObject({ status: 'new', fields: { name: 'דנה', need: 'mortgage' } });
    expect(body.summary).toBe('רוצה משכנתא');
    expect(body.transcript).toEqual([
      expect.objectContaining({ role: 'caller', text: 'שלום, אני רוצה משכנתא' }),
    ]);
    expect(body.streams).toEqual([expect.objectContaining({ closeCode: 1000, closeReason: 'done' })]);
    expect(body.transfers).toEqual([
      expect.objectContaining({ kind: 'transfer', name: 'ringing', detail: { agentId: 'dana' } }),
    ]);
    // Recordings point at our audio route: no file path, no Twilio URL.
    expect(body.recordings).toEqual([
      {
        recordingSid: `LC${'a'.repeat(32)}`,
        source: 'call-audio',
        status: 'completed',
        durationSec: 3,
        createdAt: expect.any(String),
        audioUrl: `/api/v1/recordings/LC${'a'.repeat(32)}/audio`,
      },
    ]);
    expect(JSON.stringify(body)).not.toContain(s.dataDir);
    expect((await api(s, `/calls/CA${'0'.repeat(32)}`)).status).toBe(404);
  });

  it('shows an agent user linked to a directory agent only the calls that agent took', async () => {
    const mine = await makeCall(s.store, { startMs: 500, agentId: 'yossi' });
    const theirs = await makeCall(s.store, { startMs: 600, agentId: 'rivka' });
    const asYossi = as('agent:yossi');
    expect((await pageAll('', asYossi)).map((c) => c.callSid)).toEqual([mine.callSid]);
    // Asking for someone else's calls still gets only one's own.
    expect((await pageAll('agent=rivka', asYossi)).map((c) => c.callSid)).toEqual([mine.callSid]);
    expect((await api(s, `/calls/${mine.callSid}`, { headers: asYossi })).status).toBe(200);
    expect((await api(s, `/calls/${theirs.callSid}`, { headers: asYossi })).status).toBe(404);
    // An agent user not linked to a directory agent took no calls, so sees none.
    expect((await api(s, `/calls/${theirs.callSid}`, { headers: as('agent') })).status).toBe(404);
    expect((await api(s, `/calls/${theirs.callSid}`, { headers: as('admin') })).status).toBe(200);
  });
});
