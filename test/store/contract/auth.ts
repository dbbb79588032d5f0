// Contract: users (unique names, the last-admin rule under races), API keys (hash lookup,
// revocation) and sessions (expiry, per-user logout, cascade on user deletion).
import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at } from './ids.js';

const name = (prefix = 'u') => `${prefix}-${randomBytes(5).toString('hex')}`;
const hash = () => randomBytes(32).toString('hex');

export function authContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeAll(async () => {
    store = await target.open();
  });

  it('creates a user once per username and finds it by id and name', async () => {
    const before = await store.countUsers();
    const username = name();
    const created = await store.createUser({
      username,
      role: 'agent',
      agentId: 'dana',
      passwordHash: '$scrypt$x',
      at: at(5),
    });
    expect(created).toMatchObject({
      username,
      role: 'agent',
      agentId: 'dana',
      passwordHash: '$scrypt$x',
      disabledAt: null,
      createdAt: at(5),
      updatedAt: at(5),
    });
    expect(await store.createUser({ username, role: 'admin', passwordHash: 'other', at: at(6) })).toBe(
      undefined,
    );
    expect(await store.getUserById(created!.id)).toEqual(created);
    expect(await store.getUserByUsername(username)).toEqual(created);
    expect(await store.getUserByUsername(name())).toBeUndefined();
    expect(await store.countUsers()).toBe(before + 1);
    expect((await store.listUsers()).map((u) => u.id)).toContain(created!.id);
  });

  it('concurrent creations of one username leave one user', async () => {
    const username = name();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.createUser({ username, role: 'agent', passwordHash: `h${i}`, at: at(i) }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('updates role, agent link, password and disabled state', async () => {
    const user = (await store.createUser({ username: name(), role: 'agent', passwordHash: 'a', at: at(0) }))!;
    const change = await store.updateUser(user.id, {
      agentId: 'moshe',
      passwordHash: 'b',
      disabled: true,
      at: at(10),
    });
    expect(change).toMatchObject({
      result: 'ok',
      user: { agentId: 'moshe', passwordHash: 'b', disabledAt: at(10), updatedAt: at(10) },
    });
    // Disabling again keeps the first time; clearing the link and re-enabling work.
    await store.updateUser(user.id, { disabled: true, at: at(20) });
    const again = await store.updateUser(user.id, { agentId: null, disabled: false, at: at(30) });
    expect(again).toMatchObject({ result: 'ok', user: { agentId: null, disabledAt: null } });
    expect(await store.updateUser(user.id + 100_000, { role: 'admin', at: at(0) })).toEqual({
      result: 'not-found',
    });
  });

  it('never removes the last enabled admin, even when two admins remove each other at once', async () => {
    // A fresh database: the only admins are the ones this test makes.
    const own = await target.open();
    const a = (await own.createUser({ username: 'a', role: 'admin', passwordHash: 'x', at: at(0) }))!;
    const b = (await own.createUser({ username: 'b', role: 'admin', passwordHash: 'x', at: at(0) }))!;
    const agent = (await own.createUser({ username: 'c', role: 'agent', passwordHash: 'x', at: at(0) }))!;

    const outcomes = await Promise.all([own.deleteUser(a.id), own.deleteUser(b.id)]);
    expect([...outcomes].sort()).toEqual(['deleted', 'last-admin']);
    const survivor = outcomes[0] === 'deleted' ? b : a;
    const left = (await own.listUsers()).filter((u) => u.role === 'admin');
    expect(left).toHaveLength(1);
    const last = left[0]!;
    expect(last.id).toBe(survivor.id);

    expect(await own.updateUser(last.id, { role: 'agent', at: at(1) })).toEqual({ result: 'last-admin' });
    expect(await own.updateUser(last.id, { disabled: true, at: at(1) })).toEqual({ result: 'last-admin' });
    expect(await own.deleteUser(last.id)).toBe('last-admin');

    // With a second enabled admin the first may step down; agents are never blocked by the rule.
    expect(await own.updateUser(agent.id, { role: 'admin', at: at(2) })).toMatchObject({ result: 'ok' });
    expect(await own.updateUser(last.id, { role: 'agent', at: at(3) })).toMatchObject({ result: 'ok' });
    expect(await own.deleteUser(last.id)).toBe('deleted');
    expect(await own.deleteUser(last.id)).toBe('not-found');
  });

  it('stores API keys by hash, lists them newest first and revokes once', async () => {
    const creator = (await store.createUser({
      username: name(),
      role: 'admin',
      passwordHash: 'x',
      at: at(0),
    }))!;
    const secret = hash();
    const key = await store.createApiKey({
      name: 'zapier',
      prefix: 'al_abcd',
      secretHash: secret,
      createdBy: creator.id,
      at: at(100),
    });
    expect(key).toEqual({
      id: key.id,
      name: 'zapier',
      prefix: 'al_abcd',
      createdBy: creator.id,
      createdAt: at(100),
      lastUsedAt: null,
      revokedAt: null,
    });
    const second = await store.createApiKey({
      name: 'cli',
      prefix: 'al_efgh',
      secretHash: hash(),
      createdBy: null,
      at: at(200),
    });
    expect(await store.getApiKeyByHash(secret)).toEqual(key);
    expect(await store.getApiKeyByHash(hash())).toBeUndefined();
    const ids = (await store.listApiKeys()).map((k) => k.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(key.id));

    await store.touchApiKey(key.id, at(300));
    expect((await store.getApiKeyByHash(secret))?.lastUsedAt).toEqual(at(300));
    expect(await store.revokeApiKey(key.id, at(400))).toBe('revoked');
    expect(await store.revokeApiKey(key.id, at(500))).toBe('revoked');
    expect((await store.getApiKeyByHash(secret))?.revokedAt).toEqual(at(400));
    expect(await store.revokeApiKey(key.id + 100_000, at(500))).toBe('not-found');

    // The key outlives its creator (another admin remains, so the creator may go).
    await store.createUser({ username: name(), role: 'admin', passwordHash: 'x', at: at(0) });
    expect(await store.deleteUser(creator.id)).toBe('deleted');
    expect((await store.getApiKeyByHash(secret))?.createdBy).toBeNull();
  });

  it('keeps sessions until they expire, replaces them on save and ends them per user', async () => {
    const user = (await store.createUser({ username: name(), role: 'agent', passwordHash: 'x', at: at(0) }))!;
    const [s1, s2, s3] = [hash(), hash(), hash()];
    await store.saveSession({ sidHash: s1, userId: user.id, data: { a: 1 }, expiresAt: at(1000) });
    await store.saveSession({ sidHash: s2, userId: user.id, data: { b: 2 }, expiresAt: at(1000) });
    await store.saveSession({ sidHash: s3, userId: user.id, data: { c: 3 }, expiresAt: at(10) });

    expect(await store.getSession(s1, at(999))).toEqual({
      sidHash: s1,
      userId: user.id,
      data: { a: 1 },
      expiresAt: at(1000),
    });
    expect(await store.getSession(s1, at(1000))).toBeUndefined();
    expect(await store.getSession(hash(), at(0))).toBeUndefined();

    await store.saveSession({ sidHash: s1, userId: user.id, data: { a: 9 }, expiresAt: at(5000) });
    expect(await store.getSession(s1, at(4000))).toMatchObject({ data: { a: 9 }, expiresAt: at(5000) });

    expect(await store.deleteExpiredSessions(at(20))).toBeGreaterThanOrEqual(1);
    expect(await store.getSession(s3, at(0))).toBeUndefined();

    expect(await store.deleteUserSessions(user.id, s1)).toBe(1);
    expect(await store.getSession(s2, at(0))).toBeUndefined();
    expect(await store.getSession(s1, at(0))).toBeDefined();
    await store.deleteSession(s1);
    expect(await store.getSession(s1, at(0))).toBeUndefined();
  });

  it('deleting a user ends their sessions', async () => {
    const user = (await store.createUser({ username: name(), role: 'agent', passwordHash: 'x', at: at(0) }))!;
    const sid = hash();
    await store.saveSession({ sidHash: sid, userId: user.id, data: {}, expiresAt: at(1000) });
    expect(await store.deleteUser(user.id)).toBe('deleted');
    expect(await store.getSession(sid, at(0))).toBeUndefined();
  });
}
