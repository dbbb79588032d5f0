// Every Store backend a test can run against: SQLite (always) and PostgreSQL when
// TEST_DATABASE_URL is set. Each opened store gets its own empty database (a temp dir or a fresh
// schema), removed after the suite. Without TEST_DATABASE_URL the PostgreSQL suites show as skipped.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenStoreOptions } from '../../src/store/open-store.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface StoreBackend {
  readonly kind: StoreKind;
  /** Shown in suite names, including why a backend is skipped. */
  readonly label: string;
  readonly available: boolean;
}

export interface StoreTarget {
  readonly kind: StoreKind;
  readonly label: string;
  /** openStore options for a new, empty database of this kind (own temp dir or own schema). */
  freshOptions(): Promise<OpenStoreOptions>;
  /** Opens and migrates a store on a new, empty database. */
  open(): Promise<KyselyStore>;
  /** Opens another store on existing options (e.g. to prove rows survive a reopen). */
  reopen(opts: OpenStoreOptions): Promise<KyselyStore>;
}

/** CI sets TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test. */
export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL?.trim() || undefined;

export const STORE_BACKENDS: readonly StoreBackend[] = [
  { kind: 'sqlite', label: 'SQLite', available: true },
  TEST_DATABASE_URL
    ? { kind: 'postgres', label: 'PostgreSQL', available: true }
    : { kind: 'postgres', label: 'PostgreSQL (skipped: set TEST_DATABASE_URL)', available: false },
];

function uniqueSchemaName(): string {
  return `t_${process.pid}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

async function dropSchemas(schemas: string[]): Promise<void> {
  if (schemas.length === 0 || !TEST_DATABASE_URL) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * A target for one backend whose stores, temp dirs and schemas are cleaned up in an afterAll of
 * the enclosing suite (or file). Call it at collection time, inside a describe or at top level.
 */
export function useStoreTarget(backend: StoreBackend): StoreTarget {
  const stores: KyselyStore[] = [];
  const dirs: string[] = [];
  const schemas: string[] = [];

  afterAll(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    await dropSchemas(schemas);
  });

  const freshOptions = async (): Promise<OpenStoreOptions> => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'agentlocator-store-'));
    dirs.push(dataDir);
    if (backend.kind === 'sqlite') return { dataDir };
    if (!TEST_DATABASE_URL) throw new Error('PostgreSQL store requested without TEST_DATABASE_URL');
    const pgSchema = uniqueSchemaName();
    schemas.push(pgSchema);
    return { dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema, pgPoolMax: 8 };
  };

  const reopen = async (opts: OpenStoreOptions): Promise<KyselyStore> => {
    const store = await openStore(opts);
    stores.push(store);
    return store;
  };

  return {
    kind: backend.kind,
    label: backend.label,
    freshOptions,
    reopen,
    open: async () => reopen(await freshOptions()),
  };
}

/** Declares `body` once per backend, as `<name> [<label>]`; unavailable backends are skipped visibly. */
export function describeEachStore(name: string, body: (target: StoreTarget) => void): void {
  for (const backend of STORE_BACKENDS) {
    describe.skipIf(!backend.available)(`${name} [${backend.label}]`, () => body(useStoreTarget(backend)));
  }
}
