// The cross-instance event bus: small JSON messages by topic, delivered to every instance
// (the publisher included), in one order for all of them. What must reach the instance that holds
// a call's stream or pre-warmed session travels here, and the live events every dashboard sees.
// Publishing never waits and never throws: a bus outage loses messages, never a call.
import type { z } from 'zod';

/** Messages above this are refused on every backend alike (PostgreSQL's NOTIFY stops at 8000 bytes). */
export const MAX_BUS_MESSAGE_BYTES = 7000;

export type BusKind = 'redis' | 'postgres' | 'local';

export interface EventBus {
  readonly kind: BusKind;
  /** Queues `message` for every instance's subscribers of `topic`; false when it is too big or the bus is closed. */
  publish(topic: string, message: unknown): boolean;
  /** Calls `handler` with each message of `topic` (this instance's own included). */
  subscribe(topic: string, handler: (message: unknown) => void): () => void;
  /** Resolves once this instance receives what is published from now on (subscribed upstream). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** One envelope on the wire: topic, sending instance, message. */
export interface Envelope {
  t: string;
  i: string;
  m: unknown;
}

/**
 * The dispatching half every backend shares: topics to handlers, and a handler's throw kept from
 * the others. `deliver` takes the raw text off the wire; what is not an envelope is dropped.
 */
export class Topics {
  private readonly handlers = new Map<string, Set<(message: unknown) => void>>();

  constructor(private readonly onBadMessage: (reason: string) => void) {}

  subscribe(topic: string, handler: (message: unknown) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  deliver(raw: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return this.onBadMessage('not JSON');
    }
    if (typeof envelope !== 'object' || envelope === null || typeof envelope.t !== 'string')
      return this.onBadMessage('no topic');
    for (const handler of this.handlers.get(envelope.t) ?? []) {
      try {
        handler(envelope.m);
      } catch {
        // The handler's own problem; handlers log their own errors.
      }
    }
  }
}

/** The wire text of a message, or undefined when it exceeds MAX_BUS_MESSAGE_BYTES. */
export function encodeEnvelope(instance: string, topic: string, message: unknown): string | undefined {
  const text = JSON.stringify({ t: topic, i: instance, m: message } satisfies Envelope);
  return Buffer.byteLength(text) > MAX_BUS_MESSAGE_BYTES ? undefined : text;
}

/**
 * A typed subscription: messages that do not parse are dropped with one call of `onInvalid`
 * (another instance on another version, or a stray publisher on the channel).
 */
export function subscribeParsed<T>(
  bus: EventBus,
  topic: string,
  schema: z.ZodType<T>,
  handler: (message: T) => void,
  onInvalid: (topic: string) => void,
): () => void {
  return bus.subscribe(topic, (raw) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) handler(parsed.data);
    else onInvalid(topic);
  });
}
