// The live events (call-events.ts) across instances: every instance publishes what its calls do
// on the bus's `live` topic, under an id it makes, and every instance's dashboard feed takes them
// from the bus, its own included, so each instance's ring holds the same events in the same order
// and a Last-Event-ID from any instance replays on any other.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CallEvents, LiveCallEvent } from '../call/call-events.js';
import { subscribeParsed, type EventBus } from './event-bus.js';

export const LIVE_TOPIC = 'live';

/** A transcript turn longer than this goes on the bus cut (the store keeps it whole). */
const MAX_TEXT_ON_BUS = 1500;

const liveMessage = z.object({
  id: z.string().max(64),
  event: z
    .object({ type: z.string().max(40), callSid: z.string().max(64), at: z.iso.datetime() })
    .passthrough(),
});

/** Publishes every local live event on the bus. Returns the unsubscribe. */
export function publishLiveEvents(events: CallEvents, bus: EventBus, log: Logger): () => void {
  // Unique per process start: ids from before a restart are never taken for new ones.
  const epoch = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  let seq = 0;
  return events.subscribe((event) => {
    const id = `${epoch}-${++seq}`;
    if (bus.publish(LIVE_TOPIC, { id, event })) return;
    const cut =
      'text' in event && event.text.length > MAX_TEXT_ON_BUS
        ? { ...event, text: `${event.text.slice(0, MAX_TEXT_ON_BUS)}…` }
        : undefined;
    if (cut && bus.publish(LIVE_TOPIC, { id, event: cut })) return;
    log.warn({ type: event.type, callSid: event.callSid }, 'BUS_MESSAGE_TOO_LARGE: live event not sent');
  });
}

/** Calls `push` with every live event of the cluster, with the id its instance gave it. */
export function subscribeLiveEvents(
  bus: EventBus,
  log: Logger,
  push: (event: LiveCallEvent, id: string) => void,
): () => void {
  return subscribeParsed(
    bus,
    LIVE_TOPIC,
    liveMessage,
    ({ id, event }) => push({ ...event, at: new Date(event.at) } as LiveCallEvent, id),
    (topic) => log.warn({ topic }, 'BUS_MESSAGE_INVALID: dropped'),
  );
}
