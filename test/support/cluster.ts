// Several real server instances as one cluster: one PostgreSQL schema (their own, dropped after),
// one bus channel (Redis when asked for, else PostgreSQL LISTEN/NOTIFY), each its own DATA_DIR
// unless the test shares one. Needs TEST_DATABASE_URL (and TEST_REDIS_URL for the Redis bus).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ServeOverrides } from '../../src/serve.js';
import { startTestServer, type TestServer } from './server.js';
import { TEST_DATABASE_URL } from './databases.js';

export const TEST_REDIS_URL: string | undefined = process.env.TEST_REDIS_URL?.trim() || undefined;

export interface Cluster {
  servers: TestServer[];
  databaseUrl: string;
  channel: string;
  /** Stops every server still running, then drops the schema. */
  close(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function startCluster(
  n: number,
  opts: {
    bus: 'redis' | 'postgres';
    env?: Record<string, string>;
    /** Per instance (index): more environment, such as its PORT. */
    envOf?: (index: number) => Record<string, string>;
    /** Per instance (index): overrides such as an agent factory. */
    overrides?: (index: number) => ServeOverrides;
  },
): Promise<Cluster> {
  if (!TEST_DATABASE_URL) throw new Error('a cluster needs TEST_DATABASE_URL');
  const schema = `t_cluster_${randomBytes(5).toString('hex')}`;
  await withClient(TEST_DATABASE_URL, (c) => c.query(`create schema "${schema}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const databaseUrl = url.toString();
  const channel = `t_bus_${randomBytes(5).toString('hex')}`;
  const servers: TestServer[] = [];
  const stopped = new Set<TestServer>();
  const close = async () => {
    await Promise.allSettled(servers.filter((s) => !stopped.has(s)).map((s) => s.stop()));
    await withClient(TEST_DATABASE_URL!, (c) => c.query(`drop schema if exists "${schema}" cascade`));
  };
  try {
    // One after the other: the first runs the migrations, the others find them done.
    for (let i = 0; i < n; i++) {
      const s = await startTestServer(
        {
          DATABASE_URL: databaseUrl,
          BUS_CHANNEL: channel,
          // One secret for all: a session signed in on one instance is good on the others.
          SESSION_SECRET: 'cluster-session-secret-0123456789abcdef',
          ...(opts.bus === 'redis' ? { REDIS_URL: TEST_REDIS_URL ?? '' } : {}),
          ...opts.env,
          ...opts.envOf?.(i),
        },
        opts.overrides?.(i) ?? {},
      );
      const stop = s.stop;
      s.stop = async () => {
        stopped.add(s);
        await stop();
      };
      servers.push(s);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { servers, databaseUrl, channel, close };
}

/** The buses a cluster test runs on, each with the reason it is skipped here. */
export const CLUSTER_BUSES = [
  { bus: 'postgres' as const, skip: TEST_DATABASE_URL ? undefined : 'set TEST_DATABASE_URL' },
  {
    bus: 'redis' as const,
    skip: !TEST_DATABASE_URL ? 'set TEST_DATABASE_URL' : !TEST_REDIS_URL ? 'set TEST_REDIS_URL' : undefined,
  },
];
