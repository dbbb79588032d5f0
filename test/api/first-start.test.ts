// First start and restarts: the generated admin password file (0600, named in the log, never
// logged), ADMIN_PASSWORD, the session secret file, sessions surviving a restart on the same
// store, and the sign-in rate limits.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { TEST_DATABASE_URL, useStoreTarget, STORE_BACKENDS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ADMIN_PASSWORD, ApiClient } from './support.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-auth-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.stop()));
  running = [];
});
async function start(env: Record<string, string>, overrides = {}): Promise<TestServer> {
  const s = await startTestServer(env, overrides);
  running.push(s);
  return s;
}
async function stop(s: TestServer): Promise<void> {
  running = running.filter((r) => r !== s);
  await s.stop();
}

describe('first start with no users', () => {
  it('writes a random admin password to DATA_DIR/admin-password (0600) and says where, once, never what', async () => {
    const dataDir = freshDir();
    const first = await start({ DATA_DIR: dataDir });
    const file = path.join(dataDir, 'admin-password');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(20);

    const told = first.logs.find(/^FIRST_ADMIN created/);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ file, username: 'admin' });
    expect(JSON.stringify(first.logs.lines)).not.toContain(password);

    const client = new ApiClient(first.origin);
    expect((await client.login('admin', password)).status).toBe(200);
    expect(JSON.stringify(first.logs.lines)).not.toContain(password);
    await stop(first);

    // A restart finds the admin: nothing is created, logged or rewritten.
    const second = await start({ DATA_DIR: dataDir });
    expect(second.logs.find(/^FIRST_ADMIN/)).toHaveLength(0);
    expect(readFileSync(file, 'utf8').trim()).toBe(password);
  });

  it('uses ADMIN_PASSWORD when set: no file, not logged; later starts ignore it and say so', async () => {
    const dataDir = freshDir();
    const first = await start({ DATA_DIR: dataDir, ADMIN_PASSWORD });
    expect(() => statSync(path.join(dataDir, 'admin-password'))).toThrow(/ENOENT/);
    expect(first.logs.find(/^FIRST_ADMIN created with ADMIN_PASSWORD/)).toHaveLength(1);
    expect(JSON.stringify(first.logs.lines)).not.toContain(ADMIN_PASSWORD);
    expect((await new ApiClient(first.origin).login('admin', ADMIN_PASSWORD)).status).toBe(200);
    await stop(first);

    const second = await start({ DATA_DIR: dataDir, ADMIN_PASSWORD: 'another-password' });
    expect(second.logs.find(/ADMIN_PASSWORD is set but users exist/)).toHaveLength(1);
    expect((await new ApiClient(second.origin).login('admin', 'another-password')).status).toBe(401);
  });
});

describe('the session secret', () => {
  it('is generated once into DATA_DIR/session-secret (0600); a short file stops the start', async () => {
    const dataDir = freshDir();
    const s = await start({ DATA_DIR: dataDir, ADMIN_PASSWORD });
    const file = path.join(dataDir, 'session-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(s.logs.lines)).not.toContain(readFileSync(file, 'utf8').trim());
    await stop(s);

    writeFileSync(file, 'too-short\n', { mode: 0o600 });
    await expect(startTestServer({ DATA_DIR: dataDir, ADMIN_PASSWORD })).rejects.toThrow(
      /session-secret holds 9 characters, at least 32/,
    );
  });
});

describe('sessions across a restart', () => {
  const postgres = TEST_DATABASE_URL ? useStoreTarget(STORE_BACKENDS[1]!) : undefined;

  it('a signed-in browser stays signed in when the server restarts on the same data directory', async () => {
    const dataDir = freshDir();
    const first = await start({ DATA_DIR: dataDir, ADMIN_PASSWORD });
    const client = new ApiClient(first.origin);
    expect((await client.login('admin', ADMIN_PASSWORD)).status).toBe(200);
    await stop(first);

    const second = await start({ DATA_DIR: dataDir, ADMIN_PASSWORD });
    const moved = new ApiClient(second.origin);
    for (const [k, v] of client.jar) moved.jar.set(k, v);
    moved.csrfToken = client.csrfToken;
    expect(await moved.get('/api/v1/auth/session')).toMatchObject({
      status: 200,
      body: { user: { username: 'admin' } },
    });
    // The CSRF secret lives in the session too: the token from before the restart still works.
    expect((await moved.post('/api/v1/api-keys', { name: 'after-restart' })).status).toBe(201);
  });

  it.skipIf(!TEST_DATABASE_URL)(
    'two servers sharing PostgreSQL and SESSION_SECRET serve each other’s sessions',
    async () => {
      const opts = await postgres!.freshOptions();
      const storeA = await openStore(opts);
      const storeB = await openStore(opts);
      try {
        const env = { ADMIN_PASSWORD, SESSION_SECRET: 's'.repeat(40) };
        const a = await start(env, { store: storeA });
        const b = await start(env, { store: storeB });
        const client = new ApiClient(a.origin);
        expect((await client.login('admin', ADMIN_PASSWORD)).status).toBe(200);
        const onB = new ApiClient(b.origin);
        for (const [k, v] of client.jar) onB.jar.set(k, v);
        expect((await onB.get('/api/v1/auth/session')).status).toBe(200);
        expect((await onB.post('/api/v1/auth/logout', {})).status).toBe(403); // no CSRF token sent
        onB.csrfToken = client.csrfToken;
        expect((await onB.post('/api/v1/auth/logout')).status).toBe(204);
        expect((await client.get('/api/v1/auth/session')).status).toBe(401);
      } finally {
        await Promise.all(running.map((s) => s.stop()));
        running = [];
        await storeA.close();
        await storeB.close();
      }
    },
  );
});

// Scrypt and server starts are slow on a loaded machine: these tests get a minute each.
describe('sign-in rate limits', () => {
  it(
    'an account gets 10 attempts per window even when 15 arrive at once, then 429 with Retry-After',
    { timeout: 60_000 },
    async () => {
      const s = await start({ ADMIN_PASSWORD });
      const client = new ApiClient(s.origin);
      // Counted atomically before the password check: concurrent guesses cannot slip past the limit.
      const answers = await Promise.all(
        Array.from({ length: 15 }, (_, i) => client.login('admin', `wrong-${i}`)),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
      const limited = await client.login('admin', ADMIN_PASSWORD);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ error: 'RATE_LIMITED', field: 'username' });
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(800);
      expect(retryAfter).toBeLessThanOrEqual(900);
      // The limit is per username (case-folded), not for everyone.
      expect((await client.login(' ADMIN', ADMIN_PASSWORD)).status).toBe(429);
      expect((await client.login('someone-else', 'x')).status).toBe(401);
      expect(s.logs.find('AUTH_LOGIN_RATE_LIMITED').length).toBeGreaterThan(0);
    },
  );

  it('one address gets 30 attempts per window across usernames, then 429', { timeout: 60_000 }, async () => {
    const s = await start({ ADMIN_PASSWORD });
    const client = new ApiClient(s.origin);
    // Malformed attempts count too (refused before any password check, so they are cheap).
    const answers = await Promise.all(
      Array.from({ length: 35 }, (_, i) =>
        client.request('POST', '/api/v1/auth/login', { json: { username: `user-${i}` } }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(30).fill(400), ...Array(5).fill(429)]);
    const limited = await client.login('admin', ADMIN_PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: 'RATE_LIMITED' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
