// Behind a TLS proxy with nothing configured (no PUBLIC_*, no TRUST_PROXY): a webhook signed over
// the https URL its X-Forwarded-* headers describe is accepted and answered with that host, and
// the server says once, loudly, to set PUBLIC_BASE_URL; a forged signature is refused all the same.
// An unsigned stream upgrade (wscat, a browser) stays 403, and the answer says why that is expected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import twilio from 'twilio';
import {
  TEST_AUTH_TOKEN,
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const PUBLIC_HOST = 'agents.proxied.test';
const proxy = {
  'x-forwarded-proto': 'https',
  'x-forwarded-host': PUBLIC_HOST,
  'x-forwarded-for': '54.172.60.1',
};

/** An upgrade as it reaches us through the proxy; resolves with the HTTP status and body, or 101. */
function upgrade(s: TestServer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${s.host}/ws/twilio-media`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

describe('behind a TLS proxy with nothing configured', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.stop();
  });

  it('accepts a webhook signed over the forwarded https URL and answers with that host', async () => {
    for (let i = 0; i < 2; i++) {
      const callSid = newCallSid();
      const res = await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid), {
        signedUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
        headers: proxy,
      });
      expect(res.status).toBe(200);
      const xml = await res.text();
      expect(xml).toContain(`<Stream url="wss://${PUBLIC_HOST}/ws/twilio-media"`);
      expect(xml).toContain(`statusCallback="https://${PUBLIC_HOST}/webhook/stream_status"`);
      expect(xml).toContain(`<Play>https://${PUBLIC_HOST}/static/tts/greeting_he.mp3</Play>`);
    }
    // Once, loudly, naming the URL and the setting.
    const learned = s.logs.find(/^PUBLIC_URL_LEARNED/);
    expect(learned).toHaveLength(1);
    expect(learned[0]).toMatchObject({
      level: 40,
      matchedUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
      set: `PUBLIC_BASE_URL=https://${PUBLIC_HOST}`,
    });
  });

  it('refuses a forged signature that comes with the same forwarded headers', async () => {
    const res = await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(newCallSid()), {
      token: 'not-the-auth-token-0123456789',
      signedUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
      headers: proxy,
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'WEBHOOK_SIGNATURE_INVALID' });
  });

  it('learns nothing from forwarded headers that do not say https', async () => {
    const res = await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(newCallSid()), {
      signedUrl: `http://${PUBLIC_HOST}/webhook/incoming_call`,
      headers: { ...proxy, 'x-forwarded-proto': 'http' },
    });
    expect(res.status).toBe(403);
  });

  it('accepts a stream upgrade signed over the forwarded wss URL, refuses a forged one', async () => {
    const url = `wss://${PUBLIC_HOST}/ws/twilio-media`;
    const signed = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, {});
    expect((await upgrade(s, { ...proxy, 'x-twilio-signature': signed })).status).toBe(101);
    const forged = twilio.getExpectedTwilioSignature('not-the-auth-token-0123456789', url, {});
    const refused = await upgrade(s, { ...proxy, 'x-twilio-signature': forged });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'STREAM_SIGNATURE_INVALID' });
  });

  it('explains an unsigned upgrade: expected from wscat or a browser, and how to test for real', async () => {
    const refused = await upgrade(s, proxy);
    expect(refused.status).toBe(403);
    const body = JSON.parse(refused.body) as { error: string; message: string };
    expect(body.error).toBe('STREAM_SIGNATURE_INVALID');
    expect(body.message).toMatch(/Twilio signs its stream upgrade, a manual tester \(wscat, a browser/);
    expect(body.message).toContain('this 403 is expected');
    expect(body.message).toContain(`npx agentlocator doctor https://${PUBLIC_HOST}`);
    const line = s.logs.find(/^WS_UPGRADE_REJECTED: no x-twilio-signature/);
    expect(line.at(-1)).toMatchObject({ error: 'STREAM_SIGNATURE_INVALID', hasSignature: false });
    expect(line.at(-1)?.msg).toContain('npx agentlocator doctor');
  });
});

describe('with PUBLIC_BASE_URL set', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ PUBLIC_BASE_URL: 'https://configured.example.test' });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('never learns another URL from forwarded headers', async () => {
    const res = await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(newCallSid()), {
      signedUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
      headers: proxy,
    });
    expect(res.status).toBe(403);
    expect(s.logs.find(/^PUBLIC_URL_LEARNED/)).toEqual([]);
  });
});
