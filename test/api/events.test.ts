// GET /api/v1/events over HTTP: SSE headers, Last-Event-ID replay from the ring (header or query),
// a `reset` when the id is unknown, store writes published as events, and the stream ended by a
// server stop instead of holding it open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveCallEvent } from '../../src/call/call-events.js';
import { sid } from '../store/contract/ids.js';
import { openSse } from '../support/sse-client.js';
import { api, startCrmTestServer, type CrmTestServer } from './crm-app.js';

describe('the live events API', () => {
  let s: CrmTestServer;
  beforeAll(async () => {
    s = await startCrmTestServer();
  });
  afterAll(async () => s.stop());

  const publish = (callSid: string, status: string) =>
    s.built.deps.events.publish({
      type: 'call.status',
      callSid,
      status,
      at: new Date(),
    } satisfies LiveCallEvent);

  it('answers as an event stream and replays what a reconnecting client missed', async () => {
    const first = await openSse(`${s.api}/events`);
    expect(first.status).toBe(200);
    const callSid = sid();
    for (const status of ['ringing', 'in-progress', 'completed']) publish(callSid, status);
    await first.waitFor((e) => (e.data as { status?: string }).status === 'completed');
    const seen = first.events.filter((e) => (e.data as { callSid: string }).callSid === callSid);
    expect(seen.map((e) => e.event)).toEqual(['call.status', 'call.status', 'call.status']);
    first.close();

    // Reconnect after the first event: the two after it come back, in order, then live ones.
    const again = await openSse(`${s.api}/events`, { 'last-event-id': seen[0]!.id! });
    publish(callSid, 'live-after-reconnect');
    await again.waitFor((e) => (e.data as { status?: string }).status === 'live-after-reconnect');
    expect(again.events.map((e) => (e.data as { status: string }).status)).toEqual([
      'in-progress',
      'completed',
      'live-after-reconnect',
    ]);
    again.close();

    const byQuery = await openSse(`${s.api}/events?lastEventId=${encodeURIComponent(seen[1]!.id!)}`);
    await byQuery.waitFor((e) => (e.data as { status?: string }).status === 'live-after-reconnect');
    expect(byQuery.events[0]!.data).toMatchObject({ status: 'completed' });
    byQuery.close();
  });

  it('tells a client whose Last-Event-ID it no longer has to reload', async () => {
    const stale = await openSse(`${s.api}/events`, { 'last-event-id': 'zzz-12' });
    const reset = await stale.waitFor((e) => e.event === 'reset');
    expect(reset.data).toMatchObject({ reason: expect.stringContaining('reload') });
    stale.close();
    expect((await api(s, '/events?since=1')).body).toMatchObject({ field: 'since' });
    const head = await fetch(`${s.api}/events`, { method: 'HEAD' });
    expect(head.status).toBe(405);
  });

  it('publishes what the store keeps: leads, transcript turns and timeline steps', async () => {
    const sse = await openSse(`${s.api}/events`);
    const callSid = sid();
    await s.store.addTranscriptTurn({ callSid, role: 'caller', text: 'שלום', at: new Date() });
    await s.store.saveLead({ callSid, contactId: null, fields: { name: 'נועה' }, at: new Date() });
    const event = {
      callSid,
      kind: 'stream-error',
      name: 'stream-error',
      twilioCode: 31921,
      at: new Date(),
      dedupeKey: `k-${callSid}`,
    };
    await s.store.addCallEvent(event);
    await s.store.addCallEvent(event); // a retried callback: stored once, published once
    await s.store.addCallEvent({ callSid, kind: 'status', name: 'ringing', at: new Date() });
    publish(callSid, 'marker');
    await sse.waitFor((e) => (e.data as { status?: string }).status === 'marker');
    const mine = sse.events.filter((e) => (e.data as { callSid: string }).callSid === callSid);
    expect(mine.map((e) => e.event)).toEqual(['transcript', 'lead.saved', 'call.timeline', 'call.status']);
    expect(mine[0]!.data).toMatchObject({ role: 'caller', text: 'שלום' });
    expect(mine[1]!.data).toMatchObject({ fields: { name: 'נועה' }, leadId: expect.any(Number) });
    expect(mine[2]!.data).toMatchObject({ kind: 'stream-error', twilioCode: 31921 });
    sse.close();
  });

  it('ends open streams when the server stops', async () => {
    const own = await startCrmTestServer();
    const sse = await openSse(`${own.api}/events`);
    own.built.deps.events.publish({ type: 'call.ended', callSid: sid(), at: new Date() });
    await sse.waitFor((e) => e.event === 'call.ended');
    await own.stop();
    await sse.ended;
  });
});
