// Contract: a drained call's new stream takes the claim over from the old one, once (reclaimStream).
import { beforeAll, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at, sid } from './ids.js';

export function handoverContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeAll(async () => {
    store = await target.open();
  });

  it('moves the claim from the stream that made it, once, and only while the call is live', async () => {
    const callSid = sid();
    await store.startCall({ callSid, at: at(0) });
    expect(await store.claimStream(callSid, at(10))).toBe(true);
    // Not the claim the old stream made: refused, nothing changed.
    expect(await store.reclaimStream(callSid, at(11), at(20), false)).toBe(false);
    expect(await store.reclaimStream(callSid, at(10), at(20), false)).toBe(true);
    expect((await store.getCall(callSid))?.streamClaimedAt).toEqual(at(20));
    // The same handover again (a replayed start): spent.
    expect(await store.reclaimStream(callSid, at(10), at(30), false)).toBe(false);
    // The next drain hands it on again, from the new claim.
    expect(await store.reclaimStream(callSid, at(20), at(20), false)).toBe(true);
    expect((await store.getCall(callSid))?.streamClaimedAt).toEqual(at(21));

    await store.applyCallStatus({ callSid, status: 'completed', at: at(40) });
    expect(await store.reclaimStream(callSid, at(21), at(50), false)).toBe(false);
    expect(await store.reclaimStream(sid(), at(10), at(50), false)).toBe(false);
  });

  it('with signedOnly, moves the claim of a signed call only', async () => {
    const unsigned = sid();
    await store.startCall({ callSid: unsigned, at: at(0) });
    await store.claimStream(unsigned, at(1));
    expect(await store.reclaimStream(unsigned, at(1), at(2), true)).toBe(false);
    const signed = sid();
    await store.startCall({ callSid: signed, at: at(0) });
    await store.markCallSigned(signed);
    await store.claimSignedStream(signed, at(1));
    expect(await store.reclaimStream(signed, at(1), at(2), true)).toBe(true);
  });
}
