// Contract: the transfers table — a transfer round-trips, a dial_status is taken for handling
// exactly once (also when two instances race), the first agent to accept wins, and a call's
// transfer can be replaced (voicemail after a failed start).
import { beforeAll, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { NewTransfer } from '../../../src/store/transfer-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at, sid } from './ids.js';

const member = (agentId: string) => ({ agentId, name: `Agent ${agentId}`, phone: '+972501234567' });

function ringing(callSid: string, extra: Partial<NewTransfer> = {}): NewTransfer {
  return {
    callSid,
    state: 'ringing',
    department: 'sales',
    topic: 'מכירות',
    ringSeconds: 20,
    groups: [[member('dana')], [member('avi'), member('noa')]],
    noAnswerPrompt: 'כל הנציגים עסוקים',
    attempt: 0,
    voicemailReason: null,
    voicemailPrompt: null,
    at: at(0),
    ...extra,
  };
}

export function transferContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeAll(async () => {
    store = await target.open();
  });

  it('keeps a transfer as saved, with its groups in ring order', async () => {
    const callSid = sid();
    expect(await store.getTransfer(callSid)).toBeUndefined();
    await store.saveTransfer(ringing(callSid));
    const { at: saved, ...fields } = ringing(callSid);
    expect(await store.getTransfer(callSid)).toEqual({
      ...fields,
      handled: -1,
      reply: null,
      agentId: null,
      createdAt: saved,
      updatedAt: saved,
    });
  });

  it('takes each attempt’s dial_status once, never one that does not ring, and keeps its answer', async () => {
    const callSid = sid();
    await store.saveTransfer(ringing(callSid));
    expect(await store.takeDialStatus(callSid, 1, at(1))).toBe(false); // attempt 1 does not ring yet
    const takes = await Promise.all(Array.from({ length: 5 }, () => store.takeDialStatus(callSid, 0, at(1))));
    expect(takes.filter(Boolean)).toHaveLength(1);
    await store.updateTransfer(callSid, { attempt: 1, reply: '<Response><Dial/></Response>' }, at(2));
    expect(await store.getTransfer(callSid)).toMatchObject({
      attempt: 1,
      handled: 0,
      reply: '<Response><Dial/></Response>',
      updatedAt: at(2),
    });
    expect(await store.takeDialStatus(callSid, 0, at(3))).toBe(false); // a retry
    expect(await store.takeDialStatus(callSid, 1, at(3))).toBe(true);
    expect(await store.getTransfer(callSid)).toMatchObject({ handled: 1, reply: null });
  });

  it('takes a dial_status once when two instances race', async () => {
    const opts = await target.freshOptions();
    const a = await target.reopen(opts);
    const b = await target.reopen(opts);
    for (let round = 0; round < 5; round++) {
      const callSid = sid();
      await a.saveTransfer(ringing(callSid));
      const results = await Promise.all([
        a.takeDialStatus(callSid, 0, at(1)),
        b.takeDialStatus(callSid, 0, at(1)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('gives the call to the first agent to accept while their attempt rings', async () => {
    const callSid = sid();
    await store.saveTransfer(ringing(callSid, { attempt: 1 }));
    expect(await store.acceptTransfer(callSid, 0, 'dana', at(1))).toBe(false); // not ringing now
    const accepts = await Promise.all([
      store.acceptTransfer(callSid, 1, 'avi', at(2)),
      store.acceptTransfer(callSid, 1, 'noa', at(2)),
    ]);
    expect(accepts.filter(Boolean)).toHaveLength(1);
    const t = await store.getTransfer(callSid);
    expect(t).toMatchObject({ state: 'bridged', agentId: accepts[0] ? 'avi' : 'noa' });
  });

  it('replaces a call’s transfer, and records a voicemail’s reason and prompt (or none)', async () => {
    const callSid = sid();
    await store.saveTransfer(ringing(callSid));
    await store.takeDialStatus(callSid, 0, at(1));
    await store.saveTransfer(
      ringing(callSid, { state: 'voicemail', groups: [], attempt: -1, voicemailReason: 'x', at: at(5) }),
    );
    expect(await store.getTransfer(callSid)).toMatchObject({
      state: 'voicemail',
      groups: [],
      handled: -1,
      voicemailReason: 'x',
      voicemailPrompt: null,
      createdAt: at(0),
      updatedAt: at(5),
    });
    await store.updateTransfer(callSid, { voicemailReason: 'after-hours', voicemailPrompt: 'סגור' }, at(6));
    expect(await store.getTransfer(callSid)).toMatchObject({
      voicemailReason: 'after-hours',
      voicemailPrompt: 'סגור',
    });
  });

  it('refuses an impossible attempt or ring time instead of storing it', async () => {
    await expect(store.saveTransfer(ringing(sid(), { attempt: -2 }))).rejects.toThrow(/attempt/);
    await expect(store.saveTransfer(ringing(sid(), { ringSeconds: 0 }))).rejects.toThrow(/ringSeconds/);
    await expect(store.takeDialStatus(sid(), 1.5, at(0))).rejects.toThrow(/attempt/);
  });
}
