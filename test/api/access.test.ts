// Who may call what under /api/v1: 401 without a session or key on every route, 403 for agents on
// admin routes, bearer API keys (working, revoked, refused on access management), 404/405 JSON,
// validation errors naming the field, and the public OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { ApiClient, serverWithAdmin, signedInUser } from './support.js';

let server: TestServer;
let admin: ApiClient;
let agent: ApiClient;
beforeAll(async () => {
  ({ server, admin } = await serverWithAdmin());
  agent = await signedInUser(admin, { username: 'agent-dana', role: 'agent', agentId: 'dana' });
});
afterAll(async () => {
  await server?.stop();
});

/** Every route of the access part, with a body good enough to get past validation. */
const ROUTES: { method: string; path: string; json?: unknown; admin: boolean }[] = [
  { method: 'GET', path: '/api/v1/auth/session', admin: false },
  { method: 'POST', path: '/api/v1/auth/logout', admin: false },
  {
    method: 'POST',
    path: '/api/v1/auth/password',
    json: { currentPassword: 'x', newPassword: 'long-enough' },
    admin: false,
  },
  { method: 'GET', path: '/api/v1/users', admin: true },
  {
    method: 'POST',
    path: '/api/v1/users',
    json: { username: 'someone', password: 'password-1', role: 'agent' },
    admin: true,
  },
  { method: 'PATCH', path: '/api/v1/users/1', json: { agentId: 'x' }, admin: true },
  { method: 'DELETE', path: '/api/v1/users/1', admin: true },
  { method: 'GET', path: '/api/v1/api-keys', admin: true },
  { method: 'POST', path: '/api/v1/api-keys', json: { name: 'k' }, admin: true },
  { method: 'DELETE', path: '/api/v1/api-keys/1', admin: true },
];

describe('without a session or key', () => {
  it.each(ROUTES)('$method $path answers 401 JSON', async ({ method, path, json }) => {
    const anon = new ApiClient(server.origin);
    const answer = await anon.request(method, path, json === undefined ? {} : { json });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'UNAUTHENTICATED', message: expect.stringMatching(/sign in/) });
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('a forged or unknown session cookie is 401, and the browser is told to drop it', async () => {
    const forged = new ApiClient(server.origin);
    const real = admin.jar.get('al_session')!;
    forged.jar.set('al_session', real.replace(/^[^.]+/, 'x'.repeat(32)));
    const answer = await forged.get('/api/v1/users');
    expect(answer.status).toBe(401);
    expect(answer.setCookies.some((l) => /^al_session=;/.test(l))).toBe(true);
  });

  it('a malformed Authorization header is 401, even with a valid cookie beside it', async () => {
    for (const header of [
      'Basic YWRtaW46eA==',
      'Bearer',
      'Bearer not-a-key',
      `Bearer al_${'x'.repeat(43)}`,
    ]) {
      const answer = await admin.request('GET', '/api/v1/users', { headers: { authorization: header } });
      expect(answer.status, header).toBe(401);
    }
  });

  it('unknown paths under /api are 404 JSON, a wrong method 405 with Allow', async () => {
    const anon = new ApiClient(server.origin);
    expect(await anon.get('/api/v1/nothing-here')).toMatchObject({
      status: 404,
      body: { error: 'NOT_FOUND' },
    });
    expect(await anon.get('/api/v2/users')).toMatchObject({ status: 404, body: { error: 'NOT_FOUND' } });
    const wrong = await anon.request('PUT', '/api/v1/users');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toMatch(/GET/);
  });
});

describe('role agent', () => {
  it.each(ROUTES.filter((r) => r.admin))('$method $path answers 403', async ({ method, path, json }) => {
    const answer = await agent.request(method, path, json === undefined ? {} : { json });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'FORBIDDEN' });
  });

  it('may see who they are, with their directory agent', async () => {
    const answer = await agent.get('/api/v1/auth/session');
    expect(answer).toMatchObject({ status: 200, body: { user: { role: 'agent', agentId: 'dana' } } });
  });
});

describe('API keys (Authorization: Bearer)', () => {
  it('work without CSRF tokens, are refused on user and key management, and stop when revoked', async () => {
    const created = await admin.post('/api/v1/api-keys', { name: 'zapier' });
    expect(created.status).toBe(201);
    const { key, apiKey } = created.body as { key: string; apiKey: { id: number; prefix: string } };
    expect(key).toMatch(/^al_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    // The key is never shown again.
    const listed = await admin.get('/api/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const integration = new ApiClient(server.origin);
    integration.bearer = key;
    const who = await integration.get('/api/v1/auth/session');
    expect(who).toMatchObject({
      status: 200,
      body: { user: null, apiKey: { id: apiKey.id, name: 'zapier' }, csrfToken: null },
    });
    // A state-changing request with a key and no CSRF token is accepted (no ambient credential).
    expect((await integration.post('/api/v1/auth/logout')).status).toBe(204);
    // …but keys cannot manage access, whatever their role.
    const users = await integration.get('/api/v1/users');
    expect(users).toMatchObject({ status: 403, body: { error: 'FORBIDDEN' } });
    const mint = await integration.post('/api/v1/api-keys', { name: 'escalate' });
    expect(mint.status).toBe(403);

    const afterUse = (await admin.get('/api/v1/api-keys')).body as {
      apiKeys: { id: number; lastUsedAt: string | null }[];
    };
    expect(afterUse.apiKeys.find((k) => k.id === apiKey.id)?.lastUsedAt).not.toBeNull();

    expect((await admin.delete(`/api/v1/api-keys/${apiKey.id}`)).status).toBe(204);
    const revoked = await integration.get('/api/v1/auth/session');
    expect(revoked).toMatchObject({ status: 401, body: { error: 'UNAUTHENTICATED' } });
    expect((await admin.delete(`/api/v1/api-keys/${apiKey.id + 1000}`)).status).toBe(404);
  });
});

describe('users', () => {
  it('an admin creates, lists and changes users; duplicates are 409 naming the field', async () => {
    const created = await admin.post('/api/v1/users', {
      username: 'Moshe.Levi',
      password: 'moshe-password',
      role: 'agent',
      agentId: 'moshe',
    });
    expect(created).toMatchObject({
      status: 201,
      body: { user: { username: 'moshe.levi', role: 'agent', agentId: 'moshe', disabled: false } },
    });
    const again = await admin.post('/api/v1/users', {
      username: 'moshe.levi',
      password: 'x-password',
      role: 'agent',
    });
    expect(again).toMatchObject({ status: 409, body: { error: 'CONFLICT', field: 'username' } });
    const list = (await admin.get('/api/v1/users')).body as { users: { username: string }[] };
    expect(list.users.map((u) => u.username)).toEqual(expect.arrayContaining(['admin', 'moshe.levi']));
    expect(JSON.stringify(list)).not.toMatch(/scrypt/);
  });

  it('an admin cannot delete, demote or disable themself', async () => {
    const me = ((await admin.get('/api/v1/auth/session')).body as { user: { id: number } }).user;
    expect(await admin.delete(`/api/v1/users/${me.id}`)).toMatchObject({
      status: 409,
      body: { error: 'CONFLICT' },
    });
    expect((await admin.patch(`/api/v1/users/${me.id}`, { role: 'agent' })).status).toBe(409);
    expect((await admin.patch(`/api/v1/users/${me.id}`, { disabled: true })).status).toBe(409);
    expect((await admin.get('/api/v1/auth/session')).status).toBe(200);
  });

  it('deleting a user ends their session; a missing user is 404', async () => {
    const temp = await signedInUser(admin, { username: 'temp-user', role: 'agent' });
    const id = ((await temp.get('/api/v1/auth/session')).body as { user: { id: number } }).user.id;
    expect((await admin.delete(`/api/v1/users/${id}`)).status).toBe(204);
    expect((await temp.get('/api/v1/auth/session')).status).toBe(401);
    expect(await admin.delete(`/api/v1/users/${id}`)).toMatchObject({ status: 404, body: { field: 'id' } });
  });

  it('validation errors are 400 naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/users', { username: 'bad name!', password: 'password-1', role: 'agent' }, 'username'],
      ['POST', '/api/v1/users', { username: 'ok-name', password: 'short', role: 'agent' }, 'password'],
      ['POST', '/api/v1/users', { username: 'ok-name', password: 'password-1', role: 'boss' }, 'role'],
      ['PATCH', '/api/v1/users/abc', { role: 'agent' }, 'id'],
      ['PATCH', '/api/v1/users/1', {}, 'body'],
      ['PATCH', '/api/v1/users/1', { disabled: 'yes' }, 'disabled'],
      ['POST', '/api/v1/api-keys', {}, 'name'],
      ['POST', '/api/v1/api-keys', { name: '   ' }, 'name'],
      ['DELETE', '/api/v1/api-keys/0', undefined, 'id'],
    ];
    for (const [method, path, json, field] of cases) {
      const answer = await admin.request(method, path, json === undefined ? {} : { json });
      expect(answer.status, `${method} ${path} ${JSON.stringify(json)}`).toBe(400);
      expect(answer.body).toMatchObject({ error: 'BAD_REQUEST', field });
      expect((answer.body as { message: string }).message.startsWith(`${field}: `)).toBe(true);
    }
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('is public OpenAPI 3.1 describing every access route with its schemas', async () => {
    const answer = await new ApiClient(server.origin).get('/api/v1/openapi.json');
    expect(answer.status).toBe(200);
    const doc = answer.body as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown[]; requestBody?: unknown; responses: object }>
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const { method, path } of ROUTES) {
      const docPath = path.replace(/\/1$/, '/{id}');
      expect(doc.paths[docPath]?.[method.toLowerCase()], `${method} ${docPath}`).toBeDefined();
    }
    const login = doc.paths['/api/v1/auth/login']!.post!;
    expect(login.security).toEqual([]);
    expect(login.requestBody).toBeDefined();
    expect(Object.keys(doc.paths['/api/v1/users']!.post!.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403']),
    );
    expect(doc.paths['/api/v1/openapi.json']).toBeUndefined();
  });
});
