// The EventSource on GET /events that feeds the live-call reducer (live.ts).
import { API } from './client.js';
import type { LiveEvent } from './types.js';

const EVENT_TYPES = [
  'call.started',
  'call.status',
  'stream.started',
  'stream.stopped',
  'transcript',
  'recording',
  'agent',
  'lead.saved',
  'call.timeline',
  'job.done',
  'call.ended',
] as const;

function parseEvent(data: string): LiveEvent | undefined {
  try {
    const value = JSON.parse(data) as Partial<LiveEvent>;
    if (typeof value.callSid !== 'string' || typeof value.type !== 'string') return undefined;
    return { ...value, at: typeof value.at === 'string' ? value.at : new Date().toISOString() } as LiveEvent;
  } catch {
    return undefined;
  }
}

export interface LiveSubscription {
  close(): void;
}

/**
 * Subscribes to GET /events; the browser reconnects by itself, sending Last-Event-ID so the
 * server replays what was missed (or sends `reset` when it cannot). Events arrive named by their
 * type (unnamed messages are read too). onOpen fires on every (re)connect.
 */
export function subscribeLive(handlers: {
  onEvent: (event: LiveEvent) => void;
  onOpen: () => void;
  onError: () => void;
  /** The server no longer has the events since the last one seen: re-read the live calls. */
  onReset: () => void;
}): LiveSubscription {
  const source = new EventSource(`${API}/events`, { withCredentials: true });
  const listener = (message: MessageEvent<string>) => {
    const event = parseEvent(message.data);
    if (event) handlers.onEvent(event);
  };
  source.addEventListener('message', listener);
  for (const type of EVENT_TYPES) source.addEventListener(type, listener);
  source.addEventListener('reset', handlers.onReset);
  source.addEventListener('open', handlers.onOpen);
  source.addEventListener('error', handlers.onError);
  return { close: () => source.close() };
}
