// The real REST client (official twilio package) against the fake Twilio REST server, which steers
// the emulator's live calls: hang-up ends the call with its callbacks, new TwiML replaces the stream
// without the <Connect action>, and Twilio's errors (20003, 20404, 21220) come back as codes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import { TwilioRestError, createTwilioCallsApi } from '../../src/twilio/rest-client.js';
import type { TwilioCallsApi } from '../../src/twilio/rest.js';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_HOST } from './support.js';
import { startGoodServer, type GoodServer } from './good-server.js';

let server: GoodServer;
let emulator: TwilioEmulator;
let rest: FakeTwilioRest;
let api: TwilioCallsApi;

beforeEach(async () => {
  server = await startGoodServer();
  emulator = new TwilioEmulator({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    networkMap: { [`https://${PUBLIC_HOST}`]: server.origin },
    speed: 20,
  });
  rest = await startFakeTwilioRest({ emulator, authToken: AUTH_TOKEN });
  api = createTwilioCallsApi({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: rest.url });
});

afterEach(async () => {
  await emulator.close();
  await rest.close();
  await server.close();
});

function placeCall() {
  return emulator.placeCall({
    webhookUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
    statusCallbackUrl: `https://${PUBLIC_HOST}/webhook/call_status`,
    caller: { silence: false },
  });
}

async function rejection(promise: Promise<unknown>): Promise<TwilioRestError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TwilioRestError);
  return err as TwilioRestError;
}

describe('REST client and fake REST server', () => {
  it('hangs up a live call: stop, socket closed, completed status callback', async () => {
    const call = placeCall();
    await call.waitFor('start-sent');
    await api.hangUp(call.callSid);
    const result = await call.done;

    expect(result).toMatchObject({ status: 'completed', endedBy: 'api' });
    expect(result.violations).toEqual([]);
    expect(result.streams[0]).toMatchObject({ endedBy: 'api-hangup', closeCode: 1000 });
    expect(server.frames[0]!.at(-1)).toMatchObject({ event: 'stop' });
    expect(server.sockets[0]!.readyState).toBe(server.sockets[0]!.CLOSED);
    expect(server.requests.at(-1)!).toMatchObject({
      path: '/webhook/call_status',
      params: expect.objectContaining({ CallStatus: 'completed', CallSid: call.callSid }),
    });
    expect(rest.requests).toEqual([
      {
        method: 'POST',
        path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${call.callSid}.json`,
        status: 200,
        params: { Status: 'completed' },
      },
    ]);
  });

  it('replaces the TwiML: the stream stops without the Connect action, then the new TwiML runs', async () => {
    const call = placeCall();
    await call.waitFor('start-sent');
    await api.updateTwiml(
      call.callSid,
      `<Response><Say>מעביר</Say><Dial action="https://${PUBLIC_HOST}/webhook/stream_ended" timeout="20">` +
        '<Number>+972500000001</Number></Dial></Response>',
    );
    const result = await call.done;

    expect(result.violations).toEqual([]);
    expect(result.streams[0]!.endedBy).toBe('api-update');
    // REST TwiML has no URL of its own; it ran right after the webhook's document.
    expect(result.documents[1]).toEqual({ xml: expect.stringContaining('<Dial') });
    expect(result.dials).toEqual([
      expect.objectContaining({
        targets: [{ kind: 'Number', value: '+972500000001' }],
        outcome: 'completed',
      }),
    ]);
    // The only request to stream_ended is the Dial's action, never the stream's Connect action.
    const ended = server.requests.filter((r) => r.path === '/webhook/stream_ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.params).toMatchObject({
      DialCallStatus: 'completed',
      DialBridged: 'true',
      CallStatus: 'in-progress',
    });
    expect(ended[0]!.params.DialCallSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(server.frames[0]!.at(-1)).toMatchObject({ event: 'stop' });
  });

  it('flags a relative action URL in REST TwiML as 15004', async () => {
    const call = placeCall();
    await call.waitFor('start-sent');
    await api.updateTwiml(
      call.callSid,
      '<Response><Dial action="/webhook/stream_ended">+972500000001</Dial></Response>',
    );
    const result = await call.done;
    expect(result.violations.map((v) => v.code)).toEqual([15004]);
  });

  it('answers bad credentials with 401 and code 20003', async () => {
    const call = placeCall();
    await call.waitFor('start-sent');
    const wrong = createTwilioCallsApi({
      accountSid: ACCOUNT_SID,
      authToken: 'not-the-token',
      baseUrl: rest.url,
    });
    const err = await rejection(wrong.hangUp(call.callSid));
    expect(err).toMatchObject({ code: 20003, status: 401 });
    expect(call.isFinished).toBe(false);
    await call.hangUp();
  });

  it('treats 20404 (no such call) as success for hangUp, but not for updateTwiml', async () => {
    const unknown = 'CA' + 'f'.repeat(32);
    await expect(api.hangUp(unknown)).resolves.toBeUndefined();
    const err = await rejection(api.updateTwiml(unknown, '<Response/>'));
    expect(err).toMatchObject({ code: 20404, status: 404 });
    expect(rest.requests.map((r) => r.code)).toEqual([20404, 20404]);
  });

  it('hanging up an ended call is a no-op, updating it is 21220', async () => {
    const call = placeCall();
    await call.waitFor('start-sent');
    await call.hangUp();
    await expect(api.hangUp(call.callSid)).resolves.toBeUndefined();
    const err = await rejection(api.updateTwiml(call.callSid, '<Response><Hangup/></Response>'));
    expect(err).toMatchObject({ code: 21220, status: 400 });
  });

  it('a Url update fetches the new TwiML, signed, with CallStatus in-progress', async () => {
    const call = placeCall();
    await call.waitFor('start-sent');
    const res = await fetch(`${rest.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${call.callSid}.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ Url: `https://${PUBLIC_HOST}/webhook/stream_ended`, Method: 'POST' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      sid: call.callSid,
      account_sid: ACCOUNT_SID,
      direction: 'inbound',
    });
    const result = await call.done;
    const fetched = server.requests.filter((r) => r.path === '/webhook/stream_ended');
    expect(fetched).toHaveLength(1);
    expect(fetched[0]!).toMatchObject({
      signatureOk: true,
      params: expect.objectContaining({ CallStatus: 'in-progress' }),
    });
    expect(result.requests.some((r) => r.purpose === 'rest-url')).toBe(true);
    expect(result.recordings).toHaveLength(1);
  });
});
