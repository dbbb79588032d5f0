// Optional Redis (REDIS_URL): today its health for /readyz; cross-instance call events later.
// Calls never depend on it: a Redis outage degrades readiness, never a live call.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisLink {
  health(): Promise<'ok' | 'error'>;
  close(): Promise<void>;
}

export function connectRedis(url: string, log: Logger): RedisLink {
  const client = new Redis(url, {
    lazyConnect: false,
    // A queued command fails after one reconnect attempt: nothing piles up while Redis is away.
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  let lastError: string | undefined;
  client.on('error', (err: Error) => {
    if (err.message !== lastError) log.warn({ err: err.message }, 'REDIS_ERROR (calls are unaffected)');
    lastError = err.message;
  });
  client.on('ready', () => {
    if (lastError) log.info('REDIS_RECOVERED');
    lastError = undefined;
  });
  return {
    async health() {
      try {
        const pong = await Promise.race([
          client.ping(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 500).unref()),
        ]);
        return pong === 'PONG' ? 'ok' : 'error';
      } catch {
        return 'error';
      }
    },
    async close() {
      client.disconnect();
    },
  };
}
