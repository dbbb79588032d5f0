// The bus of a single instance (no REDIS_URL, SQLite): delivered in-process, on a later tick so a
// publisher never runs its subscribers inside its own call, as with the networked buses.
import { encodeEnvelope, Topics, type EventBus } from './event-bus.js';

export function createLocalBus(onBadMessage: (reason: string) => void = () => undefined): EventBus {
  const topics = new Topics(onBadMessage);
  let closed = false;
  return {
    kind: 'local',
    publish(topic, message) {
      const text = encodeEnvelope('local', topic, message);
      if (text === undefined || closed) return false;
      // Through JSON like the others: a subscriber never shares an object with the publisher.
      setImmediate(() => !closed && topics.deliver(text));
      return true;
    },
    subscribe: (topic, handler) => topics.subscribe(topic, handler),
    ready: async () => undefined,
    async close() {
      closed = true;
    },
  };
}
