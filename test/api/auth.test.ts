// Signing in and out over HTTP: the cookie's attributes, one answer for every wrong credential,
// login CSRF (JSON only), CSRF on cookie requests, logout ending the session, password change.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { ADMIN_PASSWORD, ApiClient, serverWithAdmin, signedInUser } from './support.js';

let server: TestServer;
let admin: ApiClient;
beforeAll(async () => {
  ({ server, admin } = await serverWithAdmin());
});
afterAll(async () => {
  await server?.stop();
});

const sessionCookieLine = (lines: string[]) => lines.find((l) => l.startsWith('al_session='));

describe('POST /api/v1/auth/login', () => {
  it('answers the user and a CSRF token, and sets a signed HttpOnly SameSite=Lax cookie on /api', async () => {
    const client = new ApiClient(server.origin);
    const answer = await client.login('admin', ADMIN_PASSWORD);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      user: { username: 'admin', role: 'admin', agentId: null, disabled: false },
      csrfToken: expect.any(String),
    });
    expect(JSON.stringify(answer.body)).not.toMatch(/scrypt|passwordHash/);
    const line = sessionCookieLine(answer.setCookies)!;
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Lax/i);
    expect(line).toMatch(/; Path=\/api(;|$)/);
    // Plain http with no public URL configured: no Secure (the browser would drop the cookie).
    expect(line).not.toMatch(/; Secure/i);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(line)![1]!);
    expect(expires - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(expires - Date.now()).toBeLessThan(7.1 * 24 * 3600_000);
    // The cookie value is the session id and its signature: id.signature.
    expect(client.jar.get('al_session')).toMatch(/^[^.]+\.[A-Za-z0-9+/_-]+$/);
  });

  it('treats usernames case-insensitively', async () => {
    const answer = await new ApiClient(server.origin).login('  ADMIN ', ADMIN_PASSWORD);
    expect(answer.status).toBe(200);
  });

  it('gives the same 401 for a wrong password and an unknown user, and sets no cookie', async () => {
    const wrong = await new ApiClient(server.origin).login('admin', 'not-the-password');
    const unknown = await new ApiClient(server.origin).login('nobody-here', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'INVALID_CREDENTIALS', message: 'wrong username or password' });
    expect(unknown.body).toEqual(wrong.body);
    expect(sessionCookieLine(wrong.setCookies)).toBeUndefined();
    expect(sessionCookieLine(unknown.setCookies)).toBeUndefined();
  });

  it('accepts only application/json, which a cross-site form cannot send', async () => {
    const client = new ApiClient(server.origin);
    const json = JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const answer = await client.request('POST', '/api/v1/auth/login', {
        body: type.startsWith('application/x') ? `username=admin&password=${ADMIN_PASSWORD}` : json,
        headers: { 'content-type': type },
      });
      expect(answer.status, type).toBe(415);
      expect(answer.body).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(sessionCookieLine(answer.setCookies)).toBeUndefined();
    }
  });

  it('names the missing or wrong field with 400', async () => {
    const client = new ApiClient(server.origin);
    const missing = await client.request('POST', '/api/v1/auth/login', { json: { password: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'BAD_REQUEST', field: 'username' });
    expect((missing.body as { message: string }).message).toMatch(/^username: /);
    const notObject = await client.request('POST', '/api/v1/auth/login', { json: ['admin'] });
    expect(notObject).toMatchObject({ status: 400, body: { error: 'BAD_REQUEST', field: 'body' } });
    const badJson = await client.request('POST', '/api/v1/auth/login', {
      body: '{"username":',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson).toMatchObject({ status: 400, body: { error: 'BAD_REQUEST' } });
  });
});

describe('GET /api/v1/auth/session', () => {
  it('returns the signed-in user and a CSRF token that works for this session', async () => {
    const client = new ApiClient(server.origin);
    await client.login('admin', ADMIN_PASSWORD);
    client.csrfToken = undefined;
    const answer = await client.get('/api/v1/auth/session');
    expect(answer.status).toBe(200);
    const body = answer.body as { user: { username: string }; csrfToken: string };
    expect(body.user.username).toBe('admin');
    const created = await client.request('POST', '/api/v1/api-keys', {
      json: { name: 'from-session-token' },
      csrf: body.csrfToken,
    });
    expect(created.status).toBe(201);
  });
});

describe('CSRF on cookie-authenticated requests', () => {
  it('refuses a POST without the token or with a wrong one (403), and does nothing', async () => {
    const before = ((await admin.get('/api/v1/api-keys')).body as { apiKeys: unknown[] }).apiKeys.length;
    const without = await admin.request('POST', '/api/v1/api-keys', { json: { name: 'csrf-a' }, csrf: null });
    expect(without.status).toBe(403);
    expect(without.body).toMatchObject({ error: 'CSRF_INVALID' });
    const wrong = await admin.request('POST', '/api/v1/api-keys', {
      json: { name: 'csrf-b' },
      csrf: admin.csrfToken!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    });
    expect(wrong.status).toBe(403);
    // Another session's token is wrong for this one.
    const other = new ApiClient(server.origin);
    await other.login('admin', ADMIN_PASSWORD);
    const foreign = await admin.request('POST', '/api/v1/api-keys', {
      json: { name: 'csrf-c' },
      csrf: other.csrfToken!,
    });
    expect(foreign.status).toBe(403);
    const after = ((await admin.get('/api/v1/api-keys')).body as { apiKeys: unknown[] }).apiKeys.length;
    expect(after).toBe(before);
  });

  it('accepts it with the token, for POST, PATCH and DELETE', async () => {
    const created = await admin.post('/api/v1/api-keys', { name: 'csrf-ok' });
    expect(created.status).toBe(201);
    const agent = await admin.post('/api/v1/users', {
      username: 'csrf-user',
      password: 'passw0rd-x',
      role: 'agent',
    });
    expect(agent.status).toBe(201);
    const id = (agent.body as { user: { id: number } }).user.id;
    expect((await admin.patch(`/api/v1/users/${id}`, { agentId: 'dana' })).status).toBe(200);
    expect((await admin.request('DELETE', `/api/v1/users/${id}`, { csrf: null })).status).toBe(403);
    expect((await admin.delete(`/api/v1/users/${id}`)).status).toBe(204);
  });
});

describe('POST /api/v1/auth/logout', () => {
  it('ends the session in the store: the old cookie no longer works', async () => {
    const client = new ApiClient(server.origin);
    await client.login('admin', ADMIN_PASSWORD);
    const stolen = new Map(client.jar);
    expect((await client.request('POST', '/api/v1/auth/logout', { csrf: null })).status).toBe(403);
    const out = await client.post('/api/v1/auth/logout');
    expect(out.status).toBe(204);
    expect(client.jar.has('al_session')).toBe(false);
    expect((await client.get('/api/v1/auth/session')).status).toBe(401);
    // Replaying the cookie from before the logout: the session is gone, not just the cookie.
    const replay = new ApiClient(server.origin);
    for (const [k, v] of stolen) replay.jar.set(k, v);
    const answer = await replay.get('/api/v1/auth/session');
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'UNAUTHENTICATED' });
  });
});

describe('changing a password', () => {
  it('needs the current one, ends the user’s other sessions and keeps this one', async () => {
    const other = await signedInUser(admin, { username: 'pw-user', role: 'agent' }, 'old-password-1');
    const me = new ApiClient(server.origin);
    await me.login('pw-user', 'old-password-1');

    const wrong = await me.post('/api/v1/auth/password', {
      currentPassword: 'nope',
      newPassword: 'new-password-2',
    });
    expect(wrong).toMatchObject({ status: 400, body: { field: 'currentPassword' } });
    const short = await me.post('/api/v1/auth/password', {
      currentPassword: 'old-password-1',
      newPassword: 'short',
    });
    expect(short).toMatchObject({ status: 400, body: { field: 'newPassword' } });

    const ok = await me.post('/api/v1/auth/password', {
      currentPassword: 'old-password-1',
      newPassword: 'new-password-2',
    });
    expect(ok.status).toBe(204);
    expect((await me.get('/api/v1/auth/session')).status).toBe(200);
    expect((await other.get('/api/v1/auth/session')).status).toBe(401);
    expect((await new ApiClient(server.origin).login('pw-user', 'old-password-1')).status).toBe(401);
    expect((await new ApiClient(server.origin).login('pw-user', 'new-password-2')).status).toBe(200);
  });

  it('an admin disabling a user ends their sessions at once', async () => {
    const agent = await signedInUser(admin, { username: 'to-disable', role: 'agent' });
    const me = ((await agent.get('/api/v1/auth/session')).body as { user: { id: number } }).user;
    expect((await admin.patch(`/api/v1/users/${me.id}`, { disabled: true })).status).toBe(200);
    expect((await agent.get('/api/v1/auth/session')).status).toBe(401);
    expect((await new ApiClient(server.origin).login('to-disable', 'agent-pass-12345')).status).toBe(401);
  });
});

describe('behind a TLS proxy (PUBLIC_BASE_URL is https)', () => {
  it('marks the cookie Secure and still signs in when the proxy speaks plain http to us', async () => {
    const s = await startTestServer({ ADMIN_PASSWORD, PUBLIC_BASE_URL: 'https://ai-crm.example.com' });
    try {
      const client = new ApiClient(s.origin);
      const answer = await client.login('admin', ADMIN_PASSWORD);
      expect(answer.status).toBe(200);
      expect(sessionCookieLine(answer.setCookies)).toMatch(/; Secure/i);
      expect((await client.get('/api/v1/auth/session')).status).toBe(200);
    } finally {
      await s.stop();
    }
  });
});

describe('the generated first password', () => {
  it('is removed from DATA_DIR once the first admin chooses a password', async () => {
    const s = await startTestServer();
    try {
      const file = path.join(s.dataDir, 'admin-password');
      const generated = readFileSync(file, 'utf8').trim();
      const client = new ApiClient(s.origin);
      expect((await client.login('admin', generated)).status).toBe(200);
      const changed = await client.post('/api/v1/auth/password', {
        currentPassword: generated,
        newPassword: 'my-own-password',
      });
      expect(changed.status).toBe(204);
      expect(existsSync(file)).toBe(false);
    } finally {
      await s.stop();
    }
  });
});
