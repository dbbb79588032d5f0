// Contract: the webhook outbox: which ended calls the sweep enqueues (once, whichever instance
// sweeps), and leases that let exactly one sender hold an item until it settles or the lease ends.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { makeCall } from '../../support/crm-fixtures.js';
import { at, sid } from './ids.js';

const MINUTE = 60_000;
/** makeCall ends calls 60 s after they start. */
const sweepAt = (ms: number) => ({
  now: at(ms),
  settleMs: 2000,
  streamGraceMs: 2 * MINUTE,
  lookbackMs: 60 * MINUTE,
});

export function crmOutboxContract(target: StoreTarget): void {
  let store: KyselyStore;
  let other: KyselyStore;
  beforeEach(async () => {
    // Two stores on one database: two instances of the server.
    const opts = await target.freshOptions();
    store = await target.reopen(opts);
    other = await target.reopen(opts);
  });
  afterEach(() => Promise.all([store.close(), other.close()]));

  it('enqueues a call once it ended, settled and its streams closed; once only', async () => {
    const done = await makeCall(store, { startMs: 0 });
    const live = await makeCall(store, { startMs: 0, result: 'live' });
    expect(await store.enqueueCompletedCalls(sweepAt(MINUTE + 1000))).toBe(0); // not settled yet
    expect(await store.enqueueCompletedCalls(sweepAt(MINUTE + 2000))).toBe(1);
    expect(await other.enqueueCompletedCalls(sweepAt(MINUTE + 3000))).toBe(0);
    const item = await other.getOutboxItem(`call.completed:${done.callSid}`);
    expect(item).toMatchObject({
      type: 'call.completed',
      callSid: done.callSid,
      attempts: 0,
      payload: null,
      deliveredAt: null,
      availableAt: at(MINUTE + 2000),
    });
    expect(await store.getOutboxItem(`call.completed:${live.callSid}`)).toBeUndefined();
  });

  it('waits for an open stream, up to the grace period; skips calls older than the lookback', async () => {
    const c = await makeCall(store, { startMs: 0, result: 'abandoned' });
    await store.openStream({ streamSid: sid('MZ'), callSid: c.callSid, startedAt: at(100) });
    expect(await store.enqueueCompletedCalls(sweepAt(MINUTE + 5000))).toBe(0);
    expect(await store.enqueueCompletedCalls(sweepAt(3 * MINUTE))).toBe(1);
    const old = await makeCall(store, { startMs: -2 * 60 * MINUTE });
    expect(await store.enqueueCompletedCalls(sweepAt(3 * MINUTE))).toBe(0);
    expect(await store.getOutboxItem(`call.completed:${old.callSid}`)).toBeUndefined();
  });

  it('two instances sweeping at once enqueue each call once', async () => {
    for (let i = 0; i < 8; i++) await makeCall(store, { startMs: i });
    const counts = await Promise.all([
      store.enqueueCompletedCalls(sweepAt(2 * MINUTE)),
      other.enqueueCompletedCalls(sweepAt(2 * MINUTE)),
      store.enqueueCompletedCalls(sweepAt(2 * MINUTE)),
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(8);
  });

  it('leases each due item to one owner; an expired lease can be taken over', async () => {
    for (let i = 0; i < 6; i++) await makeCall(store, { startMs: i });
    await store.enqueueCompletedCalls(sweepAt(2 * MINUTE));
    const now = at(2 * MINUTE);
    const [a, b] = await Promise.all([
      store.claimOutbox({ owner: 'a', now, leaseMs: 30_000, limit: 10 }),
      other.claimOutbox({ owner: 'b', now, leaseMs: 30_000, limit: 10 }),
    ]);
    const ids = [...a, ...b].map((i) => i.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect([...a, ...b].every((i) => i.attempts === 1)).toBe(true);
    expect(
      await store.claimOutbox({ owner: 'c', now: at(2 * MINUTE + 29_999), leaseMs: 30_000, limit: 10 }),
    ).toEqual([]);

    const taken = await store.claimOutbox({
      owner: 'c',
      now: at(2 * MINUTE + 30_000),
      leaseMs: 30_000,
      limit: 1,
    });
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ leaseOwner: 'c', attempts: 2 });
    const first = taken[0]!;
    const formerOwner = a.some((i) => i.id === first.id) ? 'a' : 'b';
    expect(await store.markOutboxDelivered(first.id, formerOwner, at(3 * MINUTE))).toBe(false);
    expect(await other.markOutboxDelivered(first.id, 'c', at(3 * MINUTE))).toBe(true);
    const delivered = await store.getOutboxItem(first.eventKey);
    expect(delivered).toMatchObject({ deliveredAt: at(3 * MINUTE), leaseOwner: null, leaseUntil: null });
    const later = await store.claimOutbox({ owner: 'd', now: at(10 * MINUTE), leaseMs: 30_000, limit: 10 });
    expect(later.map((i) => i.id)).not.toContain(first.id);
    expect(later).toHaveLength(5);
  });

  it('a failure releases the item until its retry time; giving up takes it out for good', async () => {
    const c = await makeCall(store, { startMs: 0 });
    await store.enqueueCompletedCalls(sweepAt(2 * MINUTE));
    const [item] = await store.claimOutbox({ owner: 'a', now: at(2 * MINUTE), leaseMs: 30_000, limit: 1 });
    expect(
      await store.markOutboxFailed(item!.id, 'a', {
        error: 'HTTP 500',
        retryAt: at(2 * MINUTE + 10_000),
        at: at(2 * MINUTE),
      }),
    ).toBe(true);
    expect(
      await other.claimOutbox({ owner: 'b', now: at(2 * MINUTE + 9_999), leaseMs: 30_000, limit: 1 }),
    ).toEqual([]);
    const [retry] = await other.claimOutbox({
      owner: 'b',
      now: at(2 * MINUTE + 10_000),
      leaseMs: 30_000,
      limit: 1,
    });
    expect(retry).toMatchObject({ id: item!.id, attempts: 2, lastError: 'HTTP 500' });
    await other.markOutboxFailed(retry!.id, 'b', { error: 'gave up', retryAt: null, at: at(3 * MINUTE) });
    expect(await store.getOutboxItem(`call.completed:${c.callSid}`)).toMatchObject({
      failedAt: at(3 * MINUTE),
      deliveredAt: null,
    });
    expect(await store.claimOutbox({ owner: 'c', now: at(60 * MINUTE), leaseMs: 30_000, limit: 1 })).toEqual(
      [],
    );
  });

  it('freezes the body once, so every retry sends the same bytes', async () => {
    await makeCall(store, { startMs: 0 });
    await store.enqueueCompletedCalls(sweepAt(2 * MINUTE));
    const [item] = await store.claimOutbox({ owner: 'a', now: at(2 * MINUTE), leaseMs: 30_000, limit: 1 });
    expect(await store.freezeOutboxPayload(item!.id, '{"first":true}')).toBe('{"first":true}');
    expect(await other.freezeOutboxPayload(item!.id, '{"second":true}')).toBe('{"first":true}');
  });
}
