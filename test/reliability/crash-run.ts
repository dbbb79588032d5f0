// Crash safety (issue 15, part 3): kill -9 the server at a random moment under steady traffic,
// check the store it left, restart it on the same database, and check again. After every kill:
// SQLite's integrity and foreign-key checks pass, every webhook answered 2xx is in the store,
// retried webhooks left no duplicate, and a stream claimed before the kill cannot be claimed.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore, sqliteFilePath } from '../../src/store/open-store.js';
import { freePort } from '../support/server.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { claim, Ledger, startLoad, type AckedCall } from './crash-load.js';

export interface CrashOptions {
  kills: number;
  /** PostgreSQL server URL (a fresh schema is made and dropped); undefined = SQLite. */
  postgresUrl?: string | undefined;
  /** Progress lines (one per kill). */
  progress?: (line: string) => void;
}

export interface CrashReport {
  backend: 'sqlite' | 'postgres';
  kills: number;
  webhooksAcked: number;
  calls: number;
  retriesAcked: number;
  claimsTried: number;
  /** Claimed before a kill, tried again after the restart: all must be refused. */
  reclaimsRefused: number;
  /** Each broken promise, named; empty when the store kept everything. */
  failures: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * On a shared PostgreSQL, Kysely's migration introspection reads every schema's catalog and fails
 * ("schema … does not exist") when another suite drops its schema at that moment: not this
 * store's doing, so opening is tried again (three times at most).
 */
async function retried<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (err) {
      const text = `${String(err)} ${String((err as Error).cause)} ${(err as Error).message}`;
      if (attempt >= 3 || !/schema "[^"]+" does not exist/.test(text)) throw err;
      await sleep(200);
    }
  }
}

function postgresTarget(serverUrl: string): { databaseUrl: string; schema: string } {
  const schema = `crash_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { databaseUrl: url.toString(), schema };
}

async function withPg<T>(serverUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** SQLite's own checks on the file the killed server left (before anything reopens it). */
function sqliteIntegrity(dataDir: string): string[] {
  const db = new Database(sqliteFilePath(dataDir), { fileMustExist: true });
  try {
    const problems: string[] = [];
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    const fk = db.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0) problems.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 3))}`);
    return problems;
  } finally {
    db.close();
  }
}

/** Holds the store to the ledger for `calls`; returns the claimed ones among them. */
async function checkStore(
  opts: { dataDir: string; databaseUrl?: string },
  calls: AckedCall[],
  failures: string[],
): Promise<AckedCall[]> {
  const store = await retried(() =>
    openStore({ dataDir: opts.dataDir, ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}) }),
  );
  const claimed: AckedCall[] = [];
  try {
    for (const call of calls) {
      const row = await store.getCall(call.callSid);
      if (!row) {
        failures.push(`${call.callSid}: incoming_call answered 2xx, no call row`);
        continue;
      }
      const statusEvents = (await store.listCallEvents(call.callSid)).filter((e) => e.kind === 'status');
      for (const name of call.statuses.keys()) {
        const n = statusEvents.filter((e) => e.name === name).length;
        if (n !== 1) failures.push(`${call.callSid}: status ${name} answered 2xx, ${n} status events`);
      }
      if (call.statuses.has('completed') && row.status !== 'completed')
        failures.push(`${call.callSid}: completed answered 2xx, stored status ${row.status}`);
      if (row.streamClaimedAt && !call.statuses.has('completed')) claimed.push(call);
    }
  } finally {
    await store.close();
  }
  return claimed;
}

export async function runCrashes(opts: CrashOptions): Promise<CrashReport> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'agentlocator-crash-'));
  const target = opts.postgresUrl ? postgresTarget(opts.postgresUrl) : undefined;
  if (target && opts.postgresUrl)
    await withPg(opts.postgresUrl, (c) => c.query(`create schema "${target.schema}"`));
  const env: Record<string, string> = target ? { DATABASE_URL: target.databaseUrl } : {};
  const ledger = new Ledger();
  const failures: string[] = [];
  const claimedEver: AckedCall[] = [];
  let reclaimsRefused = 0;
  const port = await freePort();
  let server: ServerProcess | undefined;
  try {
    for (let round = 1; round <= opts.kills; round++) {
      server = await retried(() => startServerProcess({ port, dataDir, env, readyTimeoutMs: 60_000 }));
      // Streams claimed before an earlier kill: refused now (single use survives the crash).
      for (const call of claimedEver.splice(0, 4)) {
        const code = await claim(server.origin, call, 2000);
        if (code === 1008) reclaimsRefused += 1;
        else
          failures.push(`${call.callSid}: stream claimed before a kill, re-claimed after it (close ${code})`);
      }
      const load = startLoad(server.origin, ledger, round);
      await sleep(300 + Math.random() * 1200);
      await server.stop('SIGKILL');
      await load.stop();
      if (!target) failures.push(...sqliteIntegrity(dataDir).map((p) => `round ${round}: ${p}`));
      // This round's calls, and a sample of the earlier ones (all of them on the last round).
      const all = [...ledger.calls.values()];
      const older = all.filter((c) => c.round < round);
      const sample = round === opts.kills ? older : older.sort(() => Math.random() - 0.5).slice(0, 20);
      const claimed = await checkStore(
        { dataDir, ...(target ? { databaseUrl: target.databaseUrl } : {}) },
        [...all.filter((c) => c.round === round), ...sample],
        failures,
      );
      for (const c of claimed) if (c.round === round) claimedEver.push(c);
      opts.progress?.(
        `kill ${round}/${opts.kills}: ${ledger.webhooksAcked} webhooks acked, ${ledger.calls.size} calls, ${failures.length} failures`,
      );
    }
  } finally {
    await server?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    if (target && opts.postgresUrl)
      await withPg(opts.postgresUrl, (c) => c.query(`drop schema if exists "${target.schema}" cascade`));
  }
  return {
    backend: target ? 'postgres' : 'sqlite',
    kills: opts.kills,
    webhooksAcked: ledger.webhooksAcked,
    calls: ledger.calls.size,
    retriesAcked: [...ledger.calls.values()].reduce((a, c) => a + c.retried, 0),
    claimsTried: ledger.claimsTried,
    reclaimsRefused,
    failures,
  };
}
