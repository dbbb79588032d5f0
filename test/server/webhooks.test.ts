import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import twilio from 'twilio';
import {
  TEST_AUTH_TOKEN,
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type SignOptions,
  type TestServer,
} from '../support/server.js';
import { buildTestApp, injectSigned, INJECT_HOST, type TestApp } from '../support/app.js';

describe('webhooks on the default configuration (host from the request)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.stop();
  });

  it('answers a signed incoming call with greeting then <Connect><Stream> to this host over wss', async () => {
    const callSid = newCallSid();
    const res = await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    const xml = await res.text();
    expect(xml).toContain(`<Stream url="wss://${s.host}/ws/twilio-media"`);
    expect(xml).toContain('<Connect action="/webhook/stream_ended"');
    expect(xml).toContain(`<Parameter name="call_sid" value="${callSid}"/>`);
    expect(xml).toMatch(/<Parameter name="token" value="[A-Za-z0-9_-]{32}"\/>/);
    expect(xml).toContain(`<Play>http://${s.host}/static/tts/greeting_he.mp3</Play>`);
    const call = await s.store.getCall(callSid);
    expect(call).toMatchObject({ callSid, status: 'ringing', fromNumber: '+972501234567' });
    const contact = await s.store.getContactByPhone('+972501234567');
    expect(contact?.id).toBe(call?.contactId);
  });

  it('sends a caller still on the line to voicemail when the stream ends, and nobody else', async () => {
    const callSid = newCallSid();
    await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid));
    const live = await postSigned(`${s.origin}/webhook/stream_ended`, {
      CallSid: callSid,
      CallStatus: 'in-progress',
    });
    expect(live.status).toBe(200);
    const xml = await live.text();
    expect(xml).toMatch(/<Record [^>]*action="\/webhook\/handle_recording"/);
    const gone = await postSigned(`${s.origin}/webhook/stream_ended`, {
      CallSid: callSid,
      CallStatus: 'completed',
    });
    expect(await gone.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('takes a message on a dial_status of a transfer it never started, and refuses a bad attempt', async () => {
    const callSid = newCallSid();
    await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid));
    const post = (query: string, extra: Record<string, string> = {}) =>
      postSigned(`${s.origin}/webhook/dial_status${query}`, {
        CallSid: callSid,
        CallStatus: 'in-progress',
        DialCallStatus: 'no-answer',
        ...extra,
      });
    const unknown = await post('?attempt=0');
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toContain('<Record');
    // The caller hung up: nothing to run.
    expect(await (await post('?attempt=0', { CallStatus: 'completed' })).text()).not.toContain('<Record');
    const bad = await post('?attempt=x');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'WEBHOOK_BAD_BODY', message: /attempt/ });
    expect((await post('')).status).toBe(400);
  });

  it('applies status callbacks idempotently and never moves a call backwards', async () => {
    const callSid = newCallSid();
    await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid));
    const post = (status: string, seq: string, extra: Record<string, string> = {}) =>
      postSigned(`${s.origin}/webhook/call_status`, {
        CallSid: callSid,
        CallStatus: status,
        SequenceNumber: seq,
        ...extra,
      });
    expect((await post('completed', '3', { CallDuration: '42' })).status).toBe(204);
    expect((await post('in-progress', '2')).status).toBe(204);
    expect((await post('completed', '3', { CallDuration: '42' })).status).toBe(204);
    expect((await post('ringing', '1')).status).toBe(204);
    const call = await s.store.getCall(callSid);
    expect(call).toMatchObject({ status: 'completed', durationSec: 42 });
    const events = await s.store.listCallEvents(callSid);
    expect(events.filter((e) => e.kind === 'status' && e.name === 'completed')).toHaveLength(1);
  });

  it('stores a voicemail once from the Record action and its status callback', async () => {
    const callSid = newCallSid();
    await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid));
    const recordingSid = 'RE' + 'b'.repeat(32);
    const url = `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/${recordingSid}`;
    const action = await postSigned(`${s.origin}/webhook/handle_recording`, {
      CallSid: callSid,
      RecordingUrl: url,
      RecordingDuration: '7',
      Digits: 'hangup',
    });
    expect(action.status).toBe(200);
    expect(await action.text()).toContain('<Hangup/>');
    const status = await postSigned(`${s.origin}/webhook/handle_recording`, {
      CallSid: callSid,
      RecordingSid: recordingSid,
      RecordingUrl: url,
      RecordingStatus: 'completed',
      RecordingDuration: '7',
    });
    expect(status.status).toBe(204);
    const recordings = await s.store.listRecordings(callSid);
    expect(recordings).toHaveLength(1);
    expect(recordings[0]).toMatchObject({
      recordingSid,
      url,
      durationSec: 7,
      status: 'completed',
      source: 'voicemail',
    });
  });

  it('puts stream status callbacks on the call timeline with their Twilio error code', async () => {
    const callSid = newCallSid();
    await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid));
    const params = {
      AccountSid: 'AC1',
      CallSid: callSid,
      StreamSid: 'MZ' + 'c'.repeat(32),
      StreamName: 'x',
      StreamEvent: 'stream-error',
      StreamError: 'Stream - WebSocket - Handshake Error (31920)',
      Timestamp: new Date().toISOString(),
    };
    expect((await postSigned(`${s.origin}/webhook/stream_status`, params)).status).toBe(204);
    expect((await postSigned(`${s.origin}/webhook/stream_status`, params)).status).toBe(204);
    const events = (await s.store.listCallEvents(callSid)).filter((e) => e.kind === 'stream-error');
    expect(events).toHaveLength(1);
    expect(events[0]?.twilioCode).toBe(31920);
  });

  it('reports readiness per dependency', async () => {
    const res = await fetch(`${s.origin}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ db: 'ok', twilio: 'ok', agent: 'ok', redis: 'disabled' });
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${s.origin}/metrics`)).text();
    expect(metrics).toContain('agentlocator_webhook_requests_total');
  });

  it('answers a plain GET on the stream path with 426, on both paths', async () => {
    for (const p of ['/ws/twilio-media', '/ws/twilio-media/']) {
      const res = await fetch(`${s.origin}${p}`);
      expect(res.status).toBe(426);
      expect(await res.json()).toMatchObject({ error: 'STREAM_NOT_UPGRADE' });
    }
  });
});

describe('webhooks answered in-process (fastify.inject, no socket)', () => {
  let t: TestApp;
  const post = (path: string, params: Record<string, string>, opts?: SignOptions) =>
    injectSigned(t.app, path, params, opts);
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a retried webhook with the same TwiML and keeps one call', async () => {
    const callSid = newCallSid();
    const a = await post('/webhook/incoming_call', incomingCallParams(callSid));
    const b = await post('/webhook/incoming_call', incomingCallParams(callSid));
    expect(a.statusCode).toBe(200);
    expect(a.body).toContain(`<Stream url="wss://${INJECT_HOST}/ws/twilio-media"`);
    expect(b.body).toBe(a.body);
    const calls = await t.store.listCalls({ limit: 1000 });
    expect(calls.filter((c) => c.callSid === callSid)).toHaveLength(1);
  });

  it('rejects a missing signature with 400 and a wrong one with 403, writing nothing', async () => {
    const callSid = newCallSid();
    const path = '/webhook/incoming_call';
    const missing = await post(path, incomingCallParams(callSid), { signature: null });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'WEBHOOK_SIGNATURE_MISSING' });
    const wrong = await post(path, incomingCallParams(callSid), { signature: 'bm90IGEgc2lnbmF0dXJl' });
    expect(wrong.statusCode).toBe(403);
    const otherToken = await post(path, incomingCallParams(callSid), {
      token: 'some-other-token-0123456789abcd',
    });
    expect(otherToken.statusCode).toBe(403);
    const otherUrl = await post(path, incomingCallParams(callSid), {
      signedUrl: 'https://old.example.com/webhook/incoming_call',
    });
    expect(otherUrl.statusCode).toBe(403);
    expect(await t.store.getCall(callSid)).toBeUndefined();
    expect(t.logs.find('WEBHOOK_SIGNATURE_REJECTED').length).toBeGreaterThanOrEqual(3);
  });

  it('rejects a tampered parameter', async () => {
    const params = incomingCallParams(newCallSid());
    const signature = twilio.getExpectedTwilioSignature(
      TEST_AUTH_TOKEN,
      `http://${INJECT_HOST}/webhook/incoming_call`,
      params,
    );
    const res = await post('/webhook/incoming_call', { ...params, From: '+15550000000' }, { signature });
    expect(res.statusCode).toBe(403);
  });

  it('gives a reason for every malformed request, never a 5xx', async () => {
    const path = '/webhook/incoming_call';
    const json = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(json.statusCode).toBe(415);
    expect(json.json()).toMatchObject({ error: 'WEBHOOK_UNSUPPORTED_TYPE' });
    const big = await post(path, { ...incomingCallParams(newCallSid()), Junk: 'x'.repeat(70 * 1024) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: 'WEBHOOK_TOO_LARGE' });
    const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`P${i}`, '1']));
    const crowded = await post(path, { ...incomingCallParams(newCallSid()), ...many });
    expect(crowded.statusCode).toBe(413);
    expect(crowded.json()).toMatchObject({ error: 'WEBHOOK_TOO_LARGE', message: /1000 form parameters/ });
    const noSid = await post(path, { From: '+1' });
    expect(noSid.statusCode).toBe(400);
    expect(noSid.json()).toMatchObject({
      error: 'WEBHOOK_BAD_BODY',
      message: expect.stringMatching(/CallSid/),
    });
    const badSid = await post(path, { CallSid: 'CA123' });
    expect(badSid.statusCode).toBe(400);
    const get = await t.app.inject({ method: 'GET', url: path });
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const nowhere = await t.app.inject({ method: 'POST', url: '/webhook/nothing_here' });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json()).toMatchObject({ error: 'NOT_FOUND' });
    const garbage = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      payload: '%%%&&&===',
    });
    expect(garbage.statusCode).toBeGreaterThanOrEqual(400);
    expect(garbage.statusCode).toBeLessThan(500);
  });

  it('keeps __proto__ form keys as plain data', async () => {
    const callSid = newCallSid();
    const params = Object.assign(
      Object.fromEntries([
        ['__proto__', 'x'],
        ['constructor', 'y'],
      ]) as Record<string, string>,
      incomingCallParams(callSid),
    );
    expect(Object.keys(params)).toContain('__proto__');
    const res = await post('/webhook/incoming_call', params);
    expect(res.statusCode).toBe(200);
    expect(await t.store.getCall(callSid)).toMatchObject({ callSid });
  });

  it('accepts a status callback for an unknown call with 204 and a log line', async () => {
    const callSid = newCallSid();
    const res = await post('/webhook/call_status', { CallSid: callSid, CallStatus: 'completed' });
    expect(res.statusCode).toBe(204);
    expect(t.logs.find(/unknown call/).some((l) => l.callSid === callSid)).toBe(true);
  });

  it('rejects a status callback with an unknown CallStatus', async () => {
    const res = await post('/webhook/call_status', { CallSid: newCallSid(), CallStatus: 'exploded' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });
});

describe('the end of a call', () => {
  it('releases what the agent pre-warmed for it', async () => {
    const released: string[] = [];
    const t = await buildTestApp(
      {},
      {
        agents: {
          name: 'prewarming',
          health: () => 'ok',
          prewarm: () => undefined,
          release: (sid) => released.push(sid),
          create: () => ({
            start: async () => {},
            onAudio: () => {},
            onDtmf: () => {},
            close: async () => {},
          }),
        },
      },
    );
    try {
      const callSid = newCallSid();
      await injectSigned(t.app, '/webhook/incoming_call', incomingCallParams(callSid));
      expect(released).toEqual([]);
      const status = { CallSid: callSid, CallStatus: 'completed' };
      expect((await injectSigned(t.app, '/webhook/call_status', status)).statusCode).toBe(204);
      expect(released).toEqual([callSid]);
    } finally {
      await t.close();
    }
  });
});

describe('webhooks behind a configured public host', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ PUBLIC_BASE_URL: 'https://ai-crm.example.com' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('writes the public host into the TwiML and checks signatures over the public URL', async () => {
    const res = await injectSigned(t.app, '/webhook/incoming_call', incomingCallParams(newCallSid()), {
      signedUrl: 'https://ai-crm.example.com/webhook/incoming_call',
      headers: { 'x-forwarded-host': 'evil.example.com' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Stream url="wss://ai-crm.example.com/ws/twilio-media"');
  });

  it('rejects a signature over the internal URL', async () => {
    const res = await injectSigned(t.app, '/webhook/incoming_call', incomingCallParams(newCallSid()));
    expect(res.statusCode).toBe(403);
  });
});

describe('webhooks behind a trusted TLS proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('uses X-Forwarded-Proto/Host for the TwiML and the signature', async () => {
    const res = await injectSigned(t.app, '/webhook/incoming_call', incomingCallParams(newCallSid()), {
      signedUrl: 'https://proxy.example.com/webhook/incoming_call',
      headers: { 'x-forwarded-host': 'proxy.example.com', 'x-forwarded-proto': 'https' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Stream url="wss://proxy.example.com/ws/twilio-media"');
  });
});

describe('without TWILIO_AUTH_TOKEN', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ TWILIO_AUTH_TOKEN: '' });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('keeps checking signatures with a local token and says twilio is unconfigured', async () => {
    expect(s.authToken).not.toBe(TEST_AUTH_TOKEN);
    expect(s.logs.find(/TWILIO_AUTH_TOKEN is not set/)).toHaveLength(1);
    const ready = await (await fetch(`${s.origin}/readyz`)).json();
    expect(ready).toMatchObject({ twilio: 'unconfigured', db: 'ok' });
    const url = `${s.origin}/webhook/incoming_call`;
    expect((await postSigned(url, incomingCallParams(newCallSid()))).status).toBe(403);
    expect((await postSigned(url, incomingCallParams(newCallSid()), { token: s.authToken })).status).toBe(
      200,
    );
  });
});

describe('before the greeting MP3 exists', () => {
  let t: TestApp;
  beforeAll(async () => {
    const never = {
      ready: Promise.resolve(),
      available: () => false,
      bytes: () => undefined,
      close: async () => {},
    };
    t = await buildTestApp({}, { greeting: never });
  });
  afterAll(async () => {
    await t.close();
  });

  it('speaks the greeting with <Say> and answers 404 for the MP3', async () => {
    const res = await injectSigned(t.app, '/webhook/incoming_call', incomingCallParams(newCallSid()));
    expect(res.body).toMatch(/^<\?xml[^>]*><Response><Say language="he-IL"[^>]*>שלום/);
    const mp3 = await t.app.inject({ method: 'GET', url: '/static/tts/greeting_he.mp3' });
    expect(mp3.statusCode).toBe(404);
  });
});

describe('the greeting file', () => {
  let s: TestServer;
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
  beforeAll(async () => {
    const file = path.join(tmpdir(), `greeting-${process.pid}.mp3`);
    writeFileSync(file, bytes);
    s = await startTestServer({ GREETING_FILE: file });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('is served as audio/mpeg with HEAD and byte ranges, and played in the TwiML', async () => {
    const url = `${s.origin}/static/tts/greeting_he.mp3`;
    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await full.arrayBuffer())).toEqual(bytes);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
    const part = await fetch(url, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(10, 20));
    const suffix = await fetch(url, { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(bytes.subarray(995));
    expect((await fetch(url, { headers: { range: 'bytes=5000-' } })).status).toBe(416);
    const xml = await (
      await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(newCallSid()))
    ).text();
    expect(xml).toContain(`<Play>http://${s.host}/static/tts/greeting_he.mp3</Play>`);
  });
});
