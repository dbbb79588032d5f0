// A call's timeline in order: stored events, each stream's open and close, transfer steps.
import type { EventView, StreamView, TransferView } from '../api/types.js';

export type Entry =
  | { at: string; kind: 'event'; event: EventView }
  | { at: string; kind: 'stream-open'; stream: StreamView }
  | { at: string; kind: 'stream-close'; stream: StreamView }
  | { at: string; kind: 'transfer'; transfer: TransferView };

/** Events, stream opens and closes, and transfer steps, oldest first (stable for equal times). */
export function timelineEntries(
  events: readonly EventView[],
  streams: readonly StreamView[],
  transfers: readonly TransferView[],
): Entry[] {
  const entries: Entry[] = [
    ...events.map((event): Entry => ({ at: event.at, kind: 'event', event })),
    ...streams.flatMap((stream): Entry[] => [
      { at: stream.startedAt, kind: 'stream-open', stream },
      ...(stream.endedAt ? [{ at: stream.endedAt, kind: 'stream-close' as const, stream }] : []),
    ]),
    ...transfers.map((transfer): Entry => ({ at: transfer.at, kind: 'transfer', transfer })),
  ];
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || a.i - b.i)
    .map(({ e }) => e);
}
