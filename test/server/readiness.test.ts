import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

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
  it('fails readiness and refuses new streams once draining starts', async () => {
    const s = await startTestServer();
    const stopping = s.built.drain(200);
    const res = await fetch(`${s.origin}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ draining: true });
    await stopping;
    await s.stop();
  });
});
