// Contract: call events (deduplicated), stream sessions, transcripts, summaries and recordings.
import { beforeAll, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at, sid } from './ids.js';

export function timelineContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeAll(async () => {
    store = await target.open();
  });

  it('stores an event once per dedupe key and every unkeyed event', async () => {
    const callSid = sid();
    const key = `${callSid}:completed`;
    const event = { callSid, kind: 'status', name: 'completed', at: at(5), dedupeKey: key };
    expect(await store.addCallEvent(event)).toBe(true);
    expect(await store.addCallEvent({ ...event, at: at(6) })).toBe(false);
    expect(await store.addCallEvent({ callSid, kind: 'webhook', name: 'incoming', at: at(1) })).toBe(true);
    expect(
      await store.addCallEvent({ callSid, kind: 'webhook', name: 'incoming', at: at(1), dedupeKey: null }),
    ).toBe(true);
    const events = await store.listCallEvents(callSid);
    expect(events.map((e) => [e.name, e.at.getTime()])).toEqual([
      ['incoming', at(1).getTime()],
      ['incoming', at(1).getTime()],
      ['completed', at(5).getTime()],
    ]);
    expect(events[0]!.id).toBeLessThan(events[1]!.id);
  });

  it('20 concurrent events with one dedupe key store exactly one', async () => {
    const callSid = sid();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.addCallEvent({
          callSid,
          kind: 'recording',
          name: 'completed',
          at: at(0),
          dedupeKey: `k-${callSid}`,
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.listCallEvents(callSid)).toHaveLength(1);
  });

  it('round-trips event detail JSON and the Twilio error code', async () => {
    const callSid = sid();
    const detail = {
      reason: 'שגיאה בחיבור',
      attempts: 3,
      ok: false,
      nested: { list: [1, 'two', null] },
      none: null,
    };
    await store.addCallEvent({
      callSid,
      kind: 'stream-error',
      name: 'stream-error',
      twilioCode: 31920,
      detail,
      at: at(0),
    });
    const [event] = await store.listCallEvents(callSid);
    expect(event).toMatchObject({ callSid, kind: 'stream-error', twilioCode: 31920, detail, at: at(0) });
    expect(event?.detail).toEqual(detail);
    expect(await store.listCallEvents(sid())).toEqual([]);
  });

  it('records a stream session from open to close, first close winning', async () => {
    const callSid = sid();
    const streamSid = sid('MZ');
    await store.openStream({ streamSid, callSid, startedAt: at(100) });
    await store.openStream({ streamSid, callSid: sid(), startedAt: at(999) });
    expect(await store.getStream(streamSid)).toMatchObject({
      callSid,
      startedAt: at(100),
      endedAt: null,
      framesIn: 0,
    });
    const close = {
      streamSid,
      endedAt: at(60_100),
      framesIn: 3000,
      bytesIn: 3_000_000_000,
      framesOut: 2900,
      bytesOut: 464_000,
      marksOut: 12,
      marksAcked: 11,
      badFrames: 1,
      closeCode: 1000,
      closeReason: 'stop',
    };
    await store.closeStream(close);
    await store.closeStream({
      ...close,
      endedAt: at(70_000),
      framesIn: 1,
      closeCode: 1011,
      closeReason: 'late',
    });
    expect(await store.getStream(streamSid)).toEqual({ callSid, startedAt: at(100), ...close });
    await store.closeStream({ ...close, streamSid: sid('MZ') });
    expect(await store.getStream(sid('MZ'))).toBeUndefined();
  });

  it('lists transcript turns in the order they happened, text intact', async () => {
    const callSid = sid();
    await store.addTranscriptTurn({
      callSid,
      role: 'agent',
      text: 'שלום, במה אפשר לעזור?',
      startMs: 0,
      endMs: 1800,
      at: at(2000),
    });
    await store.addTranscriptTurn({ callSid, role: 'caller', text: 'early', at: at(1000) });
    await store.addTranscriptTurn({
      callSid,
      role: 'caller',
      text: 'nul\u0000byte',
      startMs: null,
      at: at(3000),
    });
    const turns = await store.listTranscript(callSid);
    expect(turns.map((t) => t.text)).toEqual(['early', 'שלום, במה אפשר לעזור?', 'nulbyte']);
    expect(turns[1]).toMatchObject({ callSid, role: 'agent', startMs: 0, endMs: 1800, at: at(2000) });
    expect(turns[0]).toMatchObject({ startMs: null, endMs: null });
    await expect(
      store.addTranscriptTurn({ callSid, role: 'robot' as 'agent', text: 'x', at: at(0) }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('stores a call’s outcome and summary', async () => {
    const callSid = sid();
    await store.startCall({ callSid, at: at(0) });
    await store.setCallOutcome(callSid, 'voicemail');
    await store.setCallSummary(callSid, 'הלקוח מחפש דירה בתל אביב');
    expect(await store.getCall(callSid)).toMatchObject({
      outcome: 'voicemail',
      summary: 'הלקוח מחפש דירה בתל אביב',
    });
    await expect(store.setCallSummary(sid(), 'nobody')).resolves.toBeUndefined();
  });

  it('fills a recording in across callbacks without erasing known values', async () => {
    const callSid = sid();
    const recordingSid = sid('RE');
    const base = { recordingSid, callSid, source: 'voicemail' };
    await store.upsertRecording({ ...base, url: null, durationSec: null, status: 'in-progress', at: at(0) });
    await store.upsertRecording({
      ...base,
      url: 'https://api.twilio.com/r.wav',
      durationSec: 14,
      status: 'completed',
      at: at(20_000),
    });
    await store.upsertRecording({ ...base, url: null, durationSec: null, status: null, at: at(30_000) });
    await store.upsertRecording({
      ...base,
      url: null,
      durationSec: null,
      status: 'in-progress',
      at: at(10_000),
    });
    const [rec, ...rest] = await store.listRecordings(callSid);
    expect(rest).toEqual([]);
    expect(rec).toEqual({
      ...base,
      url: 'https://api.twilio.com/r.wav',
      durationSec: 14,
      status: 'completed',
      at: at(30_000),
      createdAt: at(0),
      updatedAt: at(30_000),
    });
  });

  it('keeps every recording of a call, oldest first, and tolerates concurrent duplicates', async () => {
    const callSid = sid();
    const local = {
      recordingSid: sid('LC'),
      callSid,
      url: '/data/rec/a.wav',
      durationSec: 61,
      status: 'completed',
      source: 'call-audio',
      at: at(5000),
    };
    const vm = {
      recordingSid: sid('RE'),
      callSid,
      url: null,
      durationSec: null,
      status: null,
      source: 'voicemail',
      at: at(1000),
    };
    await Promise.all(
      Array.from({ length: 10 }, () => store.upsertRecording(vm)).concat(store.upsertRecording(local)),
    );
    const recordings = await store.listRecordings(callSid);
    expect(recordings.map((r) => r.recordingSid)).toEqual([vm.recordingSid, local.recordingSid]);
    expect(recordings[1]).toMatchObject({ source: 'call-audio', url: '/data/rec/a.wav', durationSec: 61 });
  });
}
