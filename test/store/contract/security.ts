// Contract: the incoming_call signature mark and the stream claim that requires it (0005_security).
import { beforeAll, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at, sid } from './ids.js';

export function securityContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeAll(async () => {
    store = await target.open();
  });

  it('claims a signed stream once, and never an unsigned, unknown or ended call', async () => {
    const unsigned = sid();
    await store.startCall({ callSid: unsigned, at: at(0) });
    expect(await store.claimSignedStream(unsigned, at(1))).toBe(false);
    // The unsigned claim used nothing up: the ordinary claim still works.
    expect(await store.claimStream(unsigned, at(2))).toBe(true);

    const signed = sid();
    await store.startCall({ callSid: signed, at: at(0) });
    await store.markCallSigned(signed);
    await store.markCallSigned(signed);
    expect(await store.claimSignedStream(signed, at(1))).toBe(true);
    expect(await store.claimSignedStream(signed, at(2))).toBe(false);
    expect((await store.getCall(signed))?.streamClaimedAt).toEqual(at(1));

    expect(await store.claimSignedStream(sid(), at(1))).toBe(false);
    await store.markCallSigned(sid()); // an unknown call: nothing to mark, nothing thrown

    const ended = sid();
    await store.startCall({ callSid: ended, at: at(0) });
    await store.markCallSigned(ended);
    await store.applyCallStatus({ callSid: ended, status: 'completed', at: at(5) });
    expect(await store.claimSignedStream(ended, at(6))).toBe(false);
  });

  it('migrates twice without complaint (the column is looked up first)', async () => {
    await store.migrate();
    const callSid = sid();
    await store.startCall({ callSid, at: at(0) });
    await store.markCallSigned(callSid);
    expect(await store.claimSignedStream(callSid, at(1))).toBe(true);
  });
}
