import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioEmulator } from '../../src/emulator/index.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || undefined;

describe.skipIf(!TEST_REDIS_URL)(
  TEST_REDIS_URL ? 'readiness with Redis' : 'readiness with Redis (skipped: set TEST_REDIS_URL)',
  () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer({ REDIS_URL: TEST_REDIS_URL ?? '' });
    });
    afterAll(async () => {
      await s.stop();
    });

    it('reports redis ok when it answers', async () => {
      const res = await fetch(`${s.origin}/readyz`);
      expect(await res.json()).toMatchObject({ redis: 'ok', db: 'ok' });
      expect(res.status).toBe(200);
    });
  },
);

describe('readiness with an unreachable Redis', () => {
  let s: TestServer;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens there.
    s = await startTestServer({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('answers 503 with redis: error, and calls keep working', async () => {
    const res = await fetch(`${s.origin}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ redis: 'error', db: 'ok' });
  });
});

describe('draining', () => {
  it('fails readiness at once, still takes streams until the deadline, then closes what cannot move with 1001', async () => {
    // No REST client: the handover at the deadline cannot happen, so the call goes to voicemail.
    const s = await startTestServer({ TWILIO_ACCOUNT_SID: '' });
    const emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 5,
    });
    try {
      const live = emulator.placeCall({ webhookUrl: `${s.origin}/webhook/incoming_call` });
      await live.waitFor('first-media-received');
      const stopping = s.built.drain(600);
      const res = await fetch(`${s.origin}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ draining: true });
      // Webhooks are still answered: a call that reaches this instance now still gets its TwiML.
      const hook = await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(newCallSid()));
      expect(hook.status).toBe(200);
      expect(await hook.text()).toContain('<Connect');
      // The stream of a call this instance answered may still arrive: it is taken, not cut.
      const probe = await emulator.probeStream(`wss://${s.host}/ws/twilio-media`);
      expect(probe).toMatchObject({ ok: true, status: 101 });
      expect(live.isFinished).toBe(false);
      await stopping;
      const closed = await live.waitFor('ws-closed');
      expect(closed.detail).toMatchObject({ closeCode: 1001 });
      expect(s.logs.find(/^HANDOVER_FAILED/)).toHaveLength(1);
      // Past the deadline nothing new is taken (Twilio then runs <Connect action>).
      const late = await emulator.probeStream(`wss://${s.host}/ws/twilio-media`);
      expect(late).toMatchObject({ ok: false, status: 503 });
    } finally {
      await emulator.close();
      await s.stop();
    }
  });
});
