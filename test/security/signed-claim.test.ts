// The stream claim when STREAM_SIGNATURE_CHECK=log-only (issue 15): only a call whose incoming_call
// was signed may open its stream, so a token handed out by a relaxed webhook check (or a call row
// made any other way) is not enough on an unsigned upgrade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { streamToken } from '../../src/twilio/stream-token.js';
import {
  TEST_AUTH_TOKEN,
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';
import { closedWithin, connect, echoAgents, newCall, sendStart, until } from './stream-client.js';

describe('with STREAM_SIGNATURE_CHECK=log-only', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ STREAM_SIGNATURE_CHECK: 'log-only' }, { agents: echoAgents() });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('remembers that a call’s incoming_call was signed', async () => {
    const { callSid } = await newCall(s);
    const row = await (s.store as KyselyStore).db
      .selectFrom('calls')
      .select('webhook_signed')
      .where('call_sid', '=', callSid)
      .executeTakeFirst();
    expect(row).toEqual({ webhook_signed: 1 });
  });

  it('lets a signed call stream over an unsigned upgrade', async () => {
    const { callSid, token } = await newCall(s);
    const o = await connect(s, { signed: false });
    sendStart(o, callSid, token);
    await until(() => s.logs.find('WS_START').some((l) => l.callSid === callSid));
    o.ws.close();
  });

  it('refuses the stream of a call whose incoming_call was not signed, even with its token', async () => {
    const callSid = newCallSid();
    await s.store.startCall({ callSid, fromNumber: '+972501234567', at: new Date() });
    const o = await connect(s, { signed: false });
    sendStart(o, callSid, streamToken(TEST_AUTH_TOKEN, callSid));
    expect((await closedWithin(o, 2000)).code).toBe(1008);
    expect(s.logs.find('WS_REJECTED').at(-1)).toMatchObject({
      callSid,
      code: 'STREAM_TOKEN_INVALID',
      detail: expect.stringMatching(/not signed/),
    });
    expect(s.logs.find('WS_START').some((l) => l.callSid === callSid)).toBe(false);
  });

  it('marks a call signed when a signed retry follows', async () => {
    const callSid = newCallSid();
    await s.store.startCall({ callSid, at: new Date() });
    const res = await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid));
    expect(res.status).toBe(200);
    const o = await connect(s, { signed: false });
    sendStart(o, callSid, streamToken(TEST_AUTH_TOKEN, callSid));
    await until(() => s.logs.find('WS_START').some((l) => l.callSid === callSid));
    o.ws.close();
  });
});

describe('with WEBHOOK_SIGNATURE_CHECK=log-only', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WEBHOOK_SIGNATURE_CHECK: 'log-only' }, { agents: echoAgents() });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('an unsigned webhook’s token still needs a signed upgrade', async () => {
    const callSid = newCallSid();
    const res = await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid), {
      signature: null,
    });
    expect(res.status).toBe(200);
    await expect(connect(s, { signed: false })).rejects.toThrow('HTTP 403');
  });
});
