import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioEmulator } from '../../src/emulator/index.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, startTestServer, type TestServer } from '../support/server.js';

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
  it('fails readiness, refuses new streams, lets live calls run, then closes them with 1001', async () => {
    const s = await startTestServer();
    const emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 5,
    });
    try {
      const live = emulator.placeCall({ webhookUrl: `${s.origin}/webhook/incoming_call` });
      await live.waitFor('first-media-received');
      const stopping = s.built.drain(300);
      const res = await fetch(`${s.origin}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ draining: true });
      // A stream that arrives now is refused before the upgrade (Twilio then runs <Connect action>).
      const probe = await emulator.probeStream(`wss://${s.host}/ws/twilio-media`);
      expect(probe).toMatchObject({ ok: false, status: 503 });
      expect(live.isFinished).toBe(false);
      await stopping;
      const closed = await live.waitFor('ws-closed');
      expect(closed.detail).toMatchObject({ closeCode: 1001 });
    } finally {
      await emulator.close();
      await s.stop();
    }
  });
});
