// Contract: the last stream errors for the Settings page — newest first, only stream-error
// events, Twilio's words and the stream from the stored detail, test calls marked, the limit held.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { makeCall } from '../../support/crm-fixtures.js';
import { at, sid } from './ids.js';

export function streamErrorsContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeEach(async () => {
    store = await target.open();
  });
  afterEach(() => store.close());

  it('lists the newest stream errors first, with code, message, stream and test mark', async () => {
    const real = await makeCall(store, { startMs: 0, result: 'live' });
    const test = await makeCall(store, { startMs: 1000, result: 'live', test: true });
    const streamSid = sid('MZ');
    await store.addCallEvent({
      callSid: real.callSid,
      kind: 'stream-error',
      name: 'stream-error',
      twilioCode: 31920,
      detail: { streamSid, error: 'Stream - WebSocket - Handshake Error' },
      at: at(5000),
    });
    // Not an error: a stream that started is never listed.
    await store.addCallEvent({
      callSid: real.callSid,
      kind: 'stream',
      name: 'stream-started',
      detail: { streamSid },
      at: at(6000),
    });
    await store.addCallEvent({
      callSid: test.callSid,
      kind: 'stream-error',
      name: 'stream-error',
      twilioCode: null,
      at: at(7000),
    });
    await store.addCallEvent({
      callSid: real.callSid,
      kind: 'stream-error',
      name: 'stream-error',
      twilioCode: 31921,
      detail: { streamSid, error: 'x'.repeat(1000) },
      at: at(3000),
    });

    const all = await store.recentStreamErrors(10);
    expect(all.map((e) => [e.callSid, e.twilioCode, e.at.getTime()])).toEqual([
      [test.callSid, null, at(7000).getTime()],
      [real.callSid, 31920, at(5000).getTime()],
      [real.callSid, 31921, at(3000).getTime()],
    ]);
    expect(all[0]).toMatchObject({ isTest: true, message: null, streamSid: null });
    expect(all[1]).toMatchObject({
      isTest: false,
      message: 'Stream - WebSocket - Handshake Error',
      streamSid,
    });
    expect(all[2]?.message).toHaveLength(300);

    const two = await store.recentStreamErrors(2);
    expect(two.map((e) => e.twilioCode)).toEqual([null, 31920]);
    expect(await store.recentStreamErrors(0)).toHaveLength(1);
  });
}
