// The bus on PostgreSQL LISTEN/NOTIFY (DATABASE_URL is PostgreSQL, no REDIS_URL): a dedicated
// listening connection, and NOTIFY through a small pool of its own so a busy store pool never
// delays a hang-up. PostgreSQL delivers notifications in commit order to every listener, so all
// instances see one order. The listener reconnects with backoff; messages in the gap are lost.
import pg from 'pg';
import type { Logger } from 'pino';
import { encodeEnvelope, Topics, type EventBus } from './event-bus.js';

export interface PostgresBusOptions {
  databaseUrl: string;
  /** A plain identifier (config checks it): LISTEN takes no parameter. */
  channel: string;
  instance: string;
  log: Logger;
}

const MAX_BACKOFF_MS = 5000;

export function createPostgresBus(opts: PostgresBusOptions): EventBus {
  const { log, channel } = opts;
  const topics = new Topics((reason) => log.warn({ reason }, 'BUS_MESSAGE_INVALID: dropped'));
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2, idleTimeoutMillis: 30_000 });
  let lastError: string | undefined;
  const onError = (err: Error) => {
    if (err.message !== lastError)
      log.warn({ err: err.message, bus: 'postgres' }, 'BUS_ERROR (calls are unaffected)');
    lastError = err.message;
  };
  pool.on('error', onError);
  let closed = false;
  let listener: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: opts.databaseUrl });
    const lost = (err?: Error) => {
      if (err) onError(err);
      if (listener !== client) return;
      listener = undefined;
      client.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void listen(), Math.min(++attempt * 200, MAX_BACKOFF_MS));
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) topics.deliver(n.payload);
    });
    listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${channel}"`);
    } catch (err) {
      return lost(err as Error);
    }
    if (closed) return void client.end().catch(() => undefined);
    if (lastError) log.info({ bus: 'postgres' }, 'BUS_RECOVERED');
    lastError = undefined;
    attempt = 0;
    markReady();
  };
  void listen();

  return {
    kind: 'postgres',
    publish(topic, message) {
      const text = encodeEnvelope(opts.instance, topic, message);
      if (text === undefined || closed) return false;
      pool.query('select pg_notify($1, $2)', [channel, text]).catch(onError);
      return true;
    },
    subscribe: (topic, handler) => topics.subscribe(topic, handler),
    ready: () => ready,
    async close() {
      closed = true;
      clearTimeout(retry);
      const client = listener;
      listener = undefined;
      await Promise.allSettled([client?.end(), pool.end()]);
    },
  };
}
