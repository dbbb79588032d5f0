// openStore: where the SQLite file lives and how it is tuned, PostgreSQL schema isolation, and
// clear errors for bad URLs and unreachable databases.
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openStore, sqliteFilePath } from '../../src/store/open-store.js';
import { STORE_BACKENDS, TEST_DATABASE_URL, useStoreTarget } from '../support/databases.js';
import { at, sid } from './contract/ids.js';

const dirs: string[] = [];
const stores: KyselyStore[] = [];
afterAll(async () => {
  await Promise.allSettled(stores.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'agentlocator-open-'));
  dirs.push(dir);
  return dir;
};
const keep = (store: KyselyStore) => (stores.push(store), store);

describe('openStore with SQLite', () => {
  it('creates DATA_DIR and agentlocator.sqlite in it, tuned for durability', async () => {
    const dataDir = path.join(await tempDir(), 'nested', 'data');
    const store = keep(await openStore({ dataDir }));
    expect(store.dialect).toBe('sqlite');
    expect(existsSync(sqliteFilePath(dataDir))).toBe(true);
    expect(sqliteFilePath(dataDir)).toBe(path.join(dataDir, 'agentlocator.sqlite'));
    const pragma = async (name: string) =>
      Object.values(
        (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(store.db)).rows[0] ?? {},
      )[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // FULL
    expect(await pragma('busy_timeout')).toBe(5000);
    expect(await pragma('foreign_keys')).toBe(1);
  });

  it('keeps an in-memory database off disk when asked', async () => {
    const dataDir = await tempDir();
    const store = keep(await openStore({ dataDir, sqliteMemory: true }));
    await store.startCall({ callSid: sid(), at: at(0) });
    expect(await store.listCalls()).toHaveLength(1);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('fails with STORE_FAILED when DATA_DIR cannot hold the database', async () => {
    const blocker = path.join(await tempDir(), 'a-file');
    writeFileSync(blocker, 'not a directory');
    const failure = await openStore({ dataDir: blocker }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'STORE_FAILED' });
  });
});

describe('openStore configuration errors', () => {
  it('refuses a DATABASE_URL that is not postgres://', async () => {
    await expect(
      openStore({ dataDir: await tempDir(), databaseUrl: 'mysql://x@localhost/db' }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(
      openStore({
        dataDir: await tempDir(),
        databaseUrl: 'postgres://postgres@127.0.0.1:1/x',
        pgSchema: 'a"; drop',
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('reports an unreachable PostgreSQL as STORE_FAILED', async () => {
    const failure = await openStore({
      dataDir: await tempDir(),
      databaseUrl: 'postgres://postgres@127.0.0.1:1/test',
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'STORE_FAILED' });
  });
});

const postgres = STORE_BACKENDS.find((b) => b.kind === 'postgres')!;
describe.skipIf(!postgres.available)(`openStore with ${postgres.label}`, () => {
  const target = useStoreTarget(postgres);

  it('isolates stores in different schemas of one database', async () => {
    const a = await target.open();
    const b = await target.open();
    const callSid = sid();
    await a.startCall({ callSid, at: at(0) });
    expect(await a.getCall(callSid)).toBeDefined();
    expect(await b.getCall(callSid)).toBeUndefined();
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(b.db);
    expect(rows[0]?.schema).toMatch(/^t_/);
  });

  it('uses the default schema when none is given', async () => {
    // A database of its own: the shared one's public schema may hold another checkout's migrations.
    const name = `t_default_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    try {
      const url = new URL(TEST_DATABASE_URL!);
      url.pathname = `/${name}`;
      const store = await openStore({ dataDir: await tempDir(), databaseUrl: url.toString() });
      try {
        await expect(store.ping()).resolves.toBeUndefined();
        expect(store.dialect).toBe('postgres');
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
        expect(rows[0]?.schema).toBe('public');
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`drop database if exists "${name}"`);
      await admin.end();
    }
  });
});
