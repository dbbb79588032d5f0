// /metrics and /readyz for alerting: the operations metrics appear as calls happen, and the two
// endpoints can sit behind a bearer token (METRICS_TOKEN) or on a loopback port (OPS_PORT).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioEmulator } from '../../src/emulator/index.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  freePort,
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const METRICS_TOKEN = 'ops-token-0123456789abcdef';

describe('METRICS_TOKEN', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ METRICS_TOKEN });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('asks /metrics and /readyz for the bearer token; /healthz stays open', async () => {
    for (const path of ['/metrics', '/readyz']) {
      const none = await fetch(`${s.origin}${path}`);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ error: 'OPS_UNAUTHORIZED' });
      const wrong = await fetch(`${s.origin}${path}`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${s.origin}${path}`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(right.status).toBe(200);
    }
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
    expect(s.logs.find(/^OPS_UNAUTHORIZED/).length).toBeGreaterThanOrEqual(4);
  });
});

describe('OPS_PORT', () => {
  let s: TestServer;
  let opsPort: number;
  beforeAll(async () => {
    opsPort = await freePort();
    s = await startTestServer({ OPS_PORT: String(opsPort) });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('serves /metrics and /readyz on 127.0.0.1:OPS_PORT only', async () => {
    expect((await fetch(`${s.origin}/metrics`)).status).toBe(404);
    expect((await fetch(`${s.origin}/readyz`)).status).toBe(404);
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ db: 'ok', capacity: 'ok' });
    expect(await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text()).toContain(
      'agentlocator_calls_active',
    );
  });
});

describe('the operations metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.stop();
  });
  const scrape = async () => (await fetch(`${s.origin}/metrics`)).text();

  it('count calls, webhook latency, start to first agent audio and stream errors by code', async () => {
    const emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 5,
    });
    try {
      const call = emulator.placeCall({
        webhookUrl: `${s.origin}/webhook/incoming_call`,
        statusCallbackUrl: `${s.origin}/webhook/call_status`,
      });
      await call.waitFor('first-media-received');
      expect(await scrape()).toMatch(/^agentlocator_calls_active 1$/m);
      await call.hangUp();
    } finally {
      await emulator.close();
    }
    const text = await scrape();
    expect(text).toMatch(/^agentlocator_calls_active 0$/m);
    expect(text).toMatch(/^agentlocator_calls_total\{outcome="(stream-ended|call-ended)"\} 1$/m);
    expect(text).toMatch(
      /^agentlocator_webhook_duration_seconds_count\{route="\/webhook\/incoming_call"\} 1$/m,
    );
    expect(text).toMatch(/^agentlocator_first_agent_audio_seconds_count 1$/m);

    // A stream error reported twice (Twilio retries callbacks) is counted once, under its code.
    const params = {
      CallSid: newCallSid(),
      StreamSid: `MZ${'a'.repeat(32)}`,
      StreamEvent: 'stream-error',
      StreamError: 'Stream - WebSocket - Handshake Error (31920): 403',
    };
    await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(params.CallSid));
    for (let i = 0; i < 2; i++) {
      expect((await postSigned(`${s.origin}/webhook/stream_status`, params)).status).toBe(204);
    }
    expect(await scrape()).toMatch(/^agentlocator_stream_errors_total\{twilio_code="31920"\} 1$/m);
  });
});
