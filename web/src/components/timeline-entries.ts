// A call's timeline in order: its stored events (status, stream status with Twilio's codes,
// transfer steps) and each stream's open and close as the server saw them.
import type { EventView, StreamView } from '../api/types.js';

export type Entry =
  | { at: string; kind: 'event'; event: EventView }
  | { at: string; kind: 'stream-open'; stream: StreamView }
  | { at: string; kind: 'stream-close'; stream: StreamView };

/** Events and stream opens and closes, oldest first (stable for equal times). */
export function timelineEntries(events: readonly EventView[], streams: readonly StreamView[]): Entry[] {
  const entries: Entry[] = [
    ...events.map((event): Entry => ({ at: event.at, kind: 'event', event })),
    ...streams.flatMap((stream): Entry[] => [
      { at: stream.startedAt, kind: 'stream-open', stream },
      ...(stream.endedAt ? [{ at: stream.endedAt, kind: 'stream-close' as const, stream }] : []),
    ]),
  ];
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || a.i - b.i)
    .map(({ e }) => e);
}
