// Opens the configured database (SQLite file in DATA_DIR by default, PostgreSQL for a
// postgres:// URL), migrates it, and hands back the Store. The caller owns it: close() it.
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { KyselyStore } from './kysely-store.js';
import type { Database, StoreDialect } from './schema.js';

export interface OpenStoreOptions {
  /** postgres:// or postgresql:// URL; absent = SQLite in dataDir. */
  databaseUrl?: string;
  /** Holds agentlocator.sqlite when no databaseUrl is given; created if missing. */
  dataDir: string;
  log?: Logger;
  /** SQLite only: an in-memory database (tests); nothing survives close(). */
  sqliteMemory?: boolean;
  /**
   * PostgreSQL only: the schema to create (if missing) and use through every connection's
   * search_path, so parallel test runs on one database are isolated. Lowercase identifier.
   */
  pgSchema?: string;
  /** PostgreSQL only: pool size (default 10). */
  pgPoolMax?: number;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: StoreDialect;
}

export const SQLITE_FILE_NAME = 'agentlocator.sqlite';

export function sqliteFilePath(dataDir: string): string {
  return path.join(dataDir, SQLITE_FILE_NAME);
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The database holds every caller's number and transcript: 0600. SQLite gives its -wal and -shm
 * files the main file's mode when it creates them; ones left by an older start are tightened too.
 */
function makePrivate(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

function openSqlite(opts: OpenStoreOptions, file: string): Kysely<Database> {
  if (file !== ':memory:') makePrivate(file);
  const database = new BetterSqlite3(file);
  try {
    if (file !== ':memory:') {
      // WAL + FULL: every acknowledged commit is fsynced, so a power cut loses no CRM row.
      const mode = database.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal')
        opts.log?.warn({ file, mode }, 'SQLite could not enable WAL; using its journal mode');
    }
    database.pragma('synchronous = FULL');
    // Another process (the `migrate` CLI, a second server) may hold the write lock briefly.
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
  } catch (err) {
    database.close();
    throw err;
  }
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

/** Adds `-c search_path=<schema>` to the URL's startup options (pg lets the URL override config). */
function withSearchPath(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', `${existing ? `${existing} ` : ''}-c search_path=${schema}`);
  return url.toString();
}

async function createSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  // A socket error after connect must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } finally {
    await client.end();
  }
}

function openPostgres(opts: OpenStoreOptions, databaseUrl: string): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: opts.pgSchema ? withSearchPath(databaseUrl, opts.pgSchema) : databaseUrl,
    max: opts.pgPoolMax ?? 10,
    // Fail a query (and so /readyz) instead of waiting forever for an unreachable server.
    connectionTimeoutMillis: 5000,
    application_name: 'agentlocator',
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it kills the process.
  pool.on('error', (err) => opts.log?.warn({ err }, 'PostgreSQL idle connection failed'));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Opens the database without migrating it: for tools that inspect or migrate explicitly. */
export async function openDatabase(opts: OpenStoreOptions): Promise<OpenedDatabase> {
  const url = opts.databaseUrl?.trim() || undefined;
  if (url === undefined) {
    let file = ':memory:';
    try {
      if (!opts.sqliteMemory) {
        await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
        file = sqliteFilePath(opts.dataDir);
      }
      const db = openSqlite(opts, file);
      opts.log?.info({ backend: 'sqlite', file }, 'store opened');
      return { db, dialect: 'sqlite' };
    } catch (err) {
      throw new AppError('STORE_FAILED', `cannot open SQLite at ${file}: ${describe(err)}`, { cause: err });
    }
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new AppError('CONFIG_INVALID', 'DATABASE_URL must be a postgres:// URL, or empty for SQLite');
  }
  if (opts.pgSchema !== undefined && !SCHEMA_NAME.test(opts.pgSchema)) {
    throw new AppError(
      'CONFIG_INVALID',
      `PostgreSQL schema "${opts.pgSchema}" must match ${SCHEMA_NAME.source}`,
    );
  }
  try {
    if (opts.pgSchema) await createSchema(url, opts.pgSchema);
  } catch (err) {
    throw new AppError('STORE_FAILED', `cannot reach PostgreSQL: ${describe(err)}`, { cause: err });
  }
  const db = openPostgres(opts, url);
  opts.log?.info({ backend: 'postgres', schema: opts.pgSchema ?? 'default' }, 'store opened');
  return { db, dialect: 'postgres' };
}

/** Opens and migrates the store; on a failed migration the connection is closed before throwing. */
export async function openStore(opts: OpenStoreOptions): Promise<KyselyStore> {
  const { db, dialect } = await openDatabase(opts);
  const store = new KyselyStore(db, { dialect, log: opts.log });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
