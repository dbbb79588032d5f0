// Contract: the call status machine (monotonic, terminal is final) and the single-use stream claim.
import { beforeAll, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { CallStatus, StatusUpdate } from '../../../src/store/store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at, sid, shuffled } from './ids.js';

export function callStatusContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeAll(async () => {
    store = await target.open();
  });

  const newCall = async (status: CallStatus = 'ringing') => {
    const callSid = sid();
    await store.startCall({ callSid, status, at: at(0) });
    return callSid;
  };

  it('reports unknown for a callback about a call it never saw', async () => {
    expect(await store.applyCallStatus({ callSid: sid(), status: 'completed', at: at(0) })).toBe('unknown');
    expect(await store.applyCallStatus({ callSid: sid(), status: 'queued', at: at(0) })).toBe('unknown');
  });

  it('moves forward by status order without sequence numbers and records answer and end', async () => {
    const callSid = await newCall();
    expect(await store.applyCallStatus({ callSid, status: 'in-progress', at: at(2000) })).toBe('applied');
    expect((await store.getCall(callSid))?.answeredAt).toEqual(at(2000));
    expect(
      await store.applyCallStatus({ callSid, status: 'completed', durationSec: 42, at: at(44_000) }),
    ).toBe('applied');
    const call = await store.getCall(callSid);
    expect(call).toMatchObject({
      status: 'completed',
      endedAt: at(44_000),
      durationSec: 42,
      answeredAt: at(2000),
    });
  });

  it('treats duplicates, late lower statuses and anything after a terminal status as stale', async () => {
    const callSid = await newCall();
    await store.applyCallStatus({ callSid, status: 'in-progress', at: at(1000) });
    expect(await store.applyCallStatus({ callSid, status: 'in-progress', at: at(1500) })).toBe('stale');
    expect(await store.applyCallStatus({ callSid, status: 'ringing', at: at(1600) })).toBe('stale');
    expect((await store.getCall(callSid))?.answeredAt).toEqual(at(1000));
    expect(await store.applyCallStatus({ callSid, status: 'busy', at: at(5000) })).toBe('applied');
    const ended = await store.getCall(callSid);
    for (const status of ['completed', 'busy', 'in-progress', 'queued'] as const) {
      expect(
        await store.applyCallStatus({ callSid, status, sequenceNumber: 99, durationSec: 7, at: at(9000) }),
      ).toBe('stale');
    }
    expect(await store.getCall(callSid)).toEqual(ended);
  });

  it('with sequence numbers, a callback not above the highest applied is stale', async () => {
    const callSid = await newCall('queued');
    expect(await store.applyCallStatus({ callSid, status: 'ringing', sequenceNumber: 5, at: at(1) })).toBe(
      'applied',
    );
    expect((await store.getCall(callSid))?.statusSeq).toBe(5);
    expect(
      await store.applyCallStatus({ callSid, status: 'in-progress', sequenceNumber: 5, at: at(2) }),
    ).toBe('stale');
    expect(
      await store.applyCallStatus({ callSid, status: 'in-progress', sequenceNumber: 4, at: at(2) }),
    ).toBe('stale');
    expect(
      await store.applyCallStatus({ callSid, status: 'in-progress', sequenceNumber: 6, at: at(3) }),
    ).toBe('applied');
    expect(await store.getCall(callSid)).toMatchObject({
      status: 'in-progress',
      statusSeq: 6,
      answeredAt: at(3),
    });
  });

  it('a terminal callback that overtakes earlier ones wins, and the late ones are stale', async () => {
    const callSid = await newCall('queued');
    expect(
      await store.applyCallStatus({
        callSid,
        status: 'completed',
        sequenceNumber: 3,
        durationSec: 30,
        at: at(40_000),
      }),
    ).toBe('applied');
    expect(await store.applyCallStatus({ callSid, status: 'ringing', sequenceNumber: 1, at: at(5000) })).toBe(
      'stale',
    );
    expect(
      await store.applyCallStatus({ callSid, status: 'in-progress', sequenceNumber: 2, at: at(10_000) }),
    ).toBe('stale');
    expect(await store.getCall(callSid)).toMatchObject({
      status: 'completed',
      statusSeq: 3,
      durationSec: 30,
      answeredAt: null,
      endedAt: at(40_000),
    });
  });

  it('derives the duration from the answer time when Twilio gives none', async () => {
    const answered = await newCall();
    await store.applyCallStatus({ callSid: answered, status: 'in-progress', at: at(1000) });
    await store.applyCallStatus({ callSid: answered, status: 'completed', at: at(66_400) });
    expect((await store.getCall(answered))?.durationSec).toBe(65);

    const unanswered = await newCall();
    await store.applyCallStatus({ callSid: unanswered, status: 'no-answer', at: at(30_000) });
    expect((await store.getCall(unanswered))?.durationSec).toBe(0);

    const missedAnswer = await newCall();
    await store.applyCallStatus({ callSid: missedAnswer, status: 'completed', at: at(30_000) });
    expect((await store.getCall(missedAnswer))?.durationSec).toBeNull();
  });

  const lifecycle: Array<Omit<StatusUpdate, 'callSid'>> = [
    { status: 'initiated', sequenceNumber: 0, at: at(0) },
    { status: 'ringing', sequenceNumber: 1, at: at(1000) },
    { status: 'in-progress', sequenceNumber: 2, at: at(2000) },
    { status: 'completed', sequenceNumber: 3, durationSec: 12, at: at(14_000) },
  ];

  it('parallel, shuffled and repeated callbacks with sequence numbers end completed, applied once each at most', async () => {
    for (const seed of [1, 2, 3]) {
      const callSid = await newCall('queued');
      const burst = shuffled(
        [...lifecycle, ...lifecycle, ...lifecycle, ...lifecycle, ...lifecycle].map((u) => ({
          ...u,
          callSid,
        })),
        seed,
      );
      const results = await Promise.all(burst.map((u) => store.applyCallStatus(u)));
      const applied = burst.filter((_, i) => results[i] === 'applied').map((u) => u.status);
      expect(applied.filter((s) => s === 'completed')).toHaveLength(1);
      expect(new Set(applied).size).toBe(applied.length);
      expect(await store.getCall(callSid)).toMatchObject({
        status: 'completed',
        statusSeq: 3,
        durationSec: 12,
      });
    }
  });

  it('parallel, shuffled callbacks without sequence numbers still end at the terminal status', async () => {
    for (const seed of [4, 5, 6]) {
      const callSid = await newCall('queued');
      const burst = shuffled(
        [...lifecycle, ...lifecycle, ...lifecycle].map(({ sequenceNumber: _seq, ...u }) => ({
          ...u,
          callSid,
        })),
        seed,
      );
      const results = await Promise.all(burst.map((u) => store.applyCallStatus(u)));
      expect(results.filter((r) => r === 'applied').length).toBeGreaterThanOrEqual(1);
      expect(await store.getCall(callSid)).toMatchObject({
        status: 'completed',
        statusSeq: -1,
        endedAt: at(14_000),
      });
    }
  });

  it('claimStream succeeds once per call and records when', async () => {
    const callSid = await newCall();
    expect(await store.claimStream(callSid, at(500))).toBe(true);
    expect(await store.claimStream(callSid, at(600))).toBe(false);
    expect((await store.getCall(callSid))?.streamClaimedAt).toEqual(at(500));
  });

  it('20 concurrent claims of one call yield exactly one winner', async () => {
    const callSid = await newCall();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.claimStream(callSid, at(i))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('claimStream refuses unknown and ended calls', async () => {
    expect(await store.claimStream(sid(), at(0))).toBe(false);
    const callSid = await newCall();
    await store.applyCallStatus({ callSid, status: 'canceled', at: at(100) });
    expect(await store.claimStream(callSid, at(200))).toBe(false);
    expect((await store.getCall(callSid))?.streamClaimedAt).toBeNull();
  });
}
