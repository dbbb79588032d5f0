// Which bus this instance uses: Redis when REDIS_URL is set, else PostgreSQL when DATABASE_URL is
// PostgreSQL, else in-process (one instance: nothing to cross).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { EventBus } from './event-bus.js';
import { createLocalBus } from './local-bus.js';
import { createPostgresBus } from './postgres-bus.js';
import { createRedisBus } from './redis-bus.js';

export function openBus(
  config: Pick<Config, 'redisUrl' | 'databaseUrl' | 'busChannel'>,
  log: Logger,
): EventBus {
  const instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const channel = config.busChannel;
  if (config.redisUrl) return createRedisBus({ url: config.redisUrl, channel, instance, log });
  if (config.databaseUrl)
    return createPostgresBus({ databaseUrl: config.databaseUrl, channel, instance, log });
  return createLocalBus((reason) => log.warn({ reason }, 'BUS_MESSAGE_INVALID: dropped'));
}
