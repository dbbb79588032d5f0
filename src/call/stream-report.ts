// What the store and the live events learn about one media stream: that it opened, and at its end
// how it went (frame and mark counts, close code). A failing store is logged, never thrown.
import type { Logger } from 'pino';
import type { Store, StreamClose } from '../store/store.js';
import type { CallEvents } from './call-events.js';

export interface StreamReportDeps {
  store: Store;
  events: CallEvents;
}

export interface StreamIds {
  callSid: string;
  streamSid: string;
}

export function reportStreamOpened(deps: StreamReportDeps, log: Logger, ids: StreamIds, at: Date): void {
  deps.events.publish({ type: 'stream.started', callSid: ids.callSid, streamSid: ids.streamSid, at });
  deps.store
    .openStream({ streamSid: ids.streamSid, callSid: ids.callSid, startedAt: at })
    .catch((err: unknown) => log.error({ err }, 'STORE_FAILED: openStream'));
}

export type StreamTotals = Omit<StreamClose, 'streamSid' | 'endedAt' | 'closeCode' | 'closeReason'>;

export async function reportStreamClosed(
  deps: StreamReportDeps,
  log: Logger,
  ids: StreamIds,
  totals: StreamTotals,
  code: number,
  reason: string,
): Promise<void> {
  deps.events.publish({
    type: 'stream.stopped',
    callSid: ids.callSid,
    streamSid: ids.streamSid,
    closeCode: code,
    reason,
    at: new Date(),
  });
  await deps.store
    .closeStream({
      streamSid: ids.streamSid,
      endedAt: new Date(),
      framesIn: totals.framesIn,
      bytesIn: totals.bytesIn,
      framesOut: totals.framesOut,
      bytesOut: totals.bytesOut,
      marksOut: totals.marksOut,
      marksAcked: totals.marksAcked,
      badFrames: totals.badFrames,
      closeCode: code,
      closeReason: reason,
    })
    .catch((err: unknown) => log.error({ err }, 'STORE_FAILED: closeStream'));
}
