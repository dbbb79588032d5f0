// Rolling expiry and the absolute lifetime, by ageing a real session's row in the store: a
// session unused for 10 minutes is renewed (new expiry in the store and in a fresh cookie), one
// renewed recently is not rewritten, and one older than 30 days is ended.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { sidHash } from '../../src/api/session-store.js';
import { openStore } from '../../src/store/open-store.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ADMIN_PASSWORD, ApiClient } from './support.js';

const DAY = 24 * 3600_000;
const dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-session-'));
let store: KyselyStore;
let server: TestServer;
beforeAll(async () => {
  store = await openStore({ dataDir: dir });
  server = await startTestServer({ ADMIN_PASSWORD }, { store });
});
afterAll(async () => {
  await server?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The one session row of a fresh sign-in, and a way to rewrite its times. */
async function signedIn() {
  const client = new ApiClient(server.origin);
  await client.login('admin', ADMIN_PASSWORD);
  const sessionId = client.jar.get('al_session')!.split('.')[0]!;
  const row = (await store.db
    .selectFrom('sessions')
    .selectAll()
    .where('sid', '=', sidHash(sessionId))
    .executeTakeFirst())!;
  const age = async (data: Record<string, number>, expiresAt: number) => {
    const merged = { ...JSON.parse(row.data), ...data };
    await store.db
      .updateTable('sessions')
      .set({ data: JSON.stringify(merged), expires_at: expiresAt })
      .where('sid', '=', row.sid)
      .execute();
  };
  const expiresAt = async () =>
    Number(
      (
        await store.db
          .selectFrom('sessions')
          .select('expires_at')
          .where('sid', '=', row.sid)
          .executeTakeFirst()
      )?.expires_at,
    );
  return { client, row, age, expiresAt };
}

describe('session lifetime', () => {
  it('stores no session id in the clear', async () => {
    const { client, row } = await signedIn();
    const sessionId = client.jar.get('al_session')!.split('.')[0]!;
    expect(row).toBeDefined();
    expect(row.sid).toMatch(/^[0-9a-f]{64}$/);
    expect(row.sid).not.toContain(sessionId);
    expect(row.data).not.toContain(sessionId);
  });

  it('renews a session last renewed over 10 minutes ago, in the store and the cookie', async () => {
    const { client, age, expiresAt } = await signedIn();
    const now = Date.now();
    await age({ renewedAt: now - 11 * 60_000 }, now + 3600_000);
    const answer = await client.get('/api/v1/auth/session');
    expect(answer.status).toBe(200);
    const line = answer.setCookies.find((l) => l.startsWith('al_session='));
    expect(line).toBeDefined();
    expect(Date.parse(/Expires=([^;]+)/i.exec(line!)![1]!) - now).toBeGreaterThan(6.9 * DAY);
    expect((await expiresAt()) - now).toBeGreaterThan(6.9 * DAY);
  });

  it('does not rewrite a session renewed moments ago', async () => {
    const { client, age, expiresAt } = await signedIn();
    const now = Date.now();
    await age({ renewedAt: now - 60_000 }, now + 3600_000);
    const answer = await client.get('/api/v1/auth/session');
    expect(answer.status).toBe(200);
    expect(answer.setCookies.find((l) => l.startsWith('al_session='))).toBeUndefined();
    expect(await expiresAt()).toBe(now + 3600_000);
  });

  it('ends a session signed in more than 30 days ago, however recently used', async () => {
    const { client, age, expiresAt } = await signedIn();
    const now = Date.now();
    await age({ authAt: now - 31 * DAY, renewedAt: now }, now + DAY);
    const answer = await client.get('/api/v1/auth/session');
    expect(answer).toMatchObject({ status: 401, body: { error: 'UNAUTHENTICATED' } });
    expect((answer.body as { message: string }).message).toMatch(/too old/);
    expect(Number.isNaN(await expiresAt())).toBe(true);
  });

  it('an expired row is not a session', async () => {
    const { client, age } = await signedIn();
    await age({}, Date.now() - 1);
    expect((await client.get('/api/v1/auth/session')).status).toBe(401);
  });
});
