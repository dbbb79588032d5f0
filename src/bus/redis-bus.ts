// The bus on Redis pub/sub (REDIS_URL): one channel, one subscriber connection and one publishing
// connection per instance. Redis hands every subscriber a channel's messages in the order it took
// them, so all instances see the live events alike (what makes Last-Event-ID work on any of them).
// ioredis resubscribes after a reconnect; what was published meanwhile is lost (logged, counted).
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { encodeEnvelope, Topics, type EventBus } from './event-bus.js';

export interface RedisBusOptions {
  url: string;
  channel: string;
  /** Names this instance in envelopes (logs, loops). */
  instance: string;
  log: Logger;
}

export function createRedisBus(opts: RedisBusOptions): EventBus {
  const { log, channel } = opts;
  const topics = new Topics((reason) => log.warn({ reason }, 'BUS_MESSAGE_INVALID: dropped'));
  const connect = () =>
    new Redis(opts.url, {
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
    });
  const subscriber = connect();
  const publisher = connect();
  let lastError: string | undefined;
  const onError = (err: Error) => {
    if (err.message !== lastError)
      log.warn({ err: err.message, bus: 'redis' }, 'BUS_ERROR (calls are unaffected)');
    lastError = err.message;
  };
  subscriber.on('error', onError);
  publisher.on('error', onError);
  subscriber.on('ready', () => {
    if (lastError) log.info({ bus: 'redis' }, 'BUS_RECOVERED');
    lastError = undefined;
  });
  subscriber.on('message', (from: string, text: string) => {
    if (from === channel) topics.deliver(text);
  });
  const subscribed = subscriber.subscribe(channel).then(
    () => undefined,
    (err: Error) => onError(err),
  );
  let closed = false;

  return {
    kind: 'redis',
    publish(topic, message) {
      const text = encodeEnvelope(opts.instance, topic, message);
      if (text === undefined || closed) return false;
      publisher.publish(channel, text).catch(onError);
      return true;
    },
    subscribe: (topic, handler) => topics.subscribe(topic, handler),
    ready: () => subscribed,
    async close() {
      closed = true;
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
