// Agent audio on its way to the caller: deltas go to CallControl.play and into the ledger; on
// barge-in, Twilio is cleared, the response cancelled and every unheard item truncated where the
// caller stopped hearing it. Late deltas of a cancelled response are dropped here.
import type { Logger } from 'pino';
import type { CallControl } from '../agent.js';
import { AudioLedger } from './audio-ledger.js';
import { base64Bytes } from '../../base64.js';
import { cancelResponse, truncateItem } from './client-events.js';
import type { ResponseSequencer } from './responses.js';
import type { TranscriptRecorder } from './transcript.js';

export class Playout {
  private readonly ledger = new AudioLedger();
  /** Deltas dropped because their response was cancelled (reported at close). */
  lateDeltas = 0;

  constructor(
    private readonly responses: ResponseSequencer,
    private readonly transcript: TranscriptRecorder,
    private readonly send: (event: string) => boolean,
    private readonly log: () => Logger,
  ) {}

  /** One audio delta; `atMs` is the stream time now (for the transcript's timing). */
  delta(
    control: CallControl,
    responseId: string,
    itemId: string,
    contentIndex: number,
    delta: string,
    atMs: number,
  ): void {
    if (this.responses.isCancelled(responseId)) {
      // Audio the server had generated before our cancel: the caller must not hear it.
      if (++this.lateDeltas === 1) this.log().info({ responseId }, 'REALTIME_LATE_AUDIO_DROPPED');
      return;
    }
    this.responses.onAudio(responseId);
    // Positions on the session's playback timeline, so they match what interrupt() reports.
    const before = control.heardMs() + control.pendingMs();
    control.play({ base64: delta });
    const after = control.heardMs() + control.pendingMs();
    this.ledger.record(itemId, contentIndex, before, after, base64Bytes(delta) / 8, atMs);
  }

  /** The caller started speaking: stop the agent where the caller stopped hearing it. */
  bargeIn(control: CallControl): void {
    const active = this.responses.activeId;
    const pendingMs = control.pendingMs();
    if (active === undefined && pendingMs <= 0) return;
    if (active !== undefined && this.responses.cancel(active)) this.send(cancelResponse(active));
    // Even with the response done, audio still queued at Twilio must go (agents-js #1173).
    if (pendingMs <= 0) return;
    const { heardMs } = control.interrupt();
    const points = this.ledger.truncations(heardMs);
    for (const p of points) {
      this.send(truncateItem(p.itemId, p.contentIndex, p.audioEndMs));
      this.transcript.agentCut(p.itemId, p.audioEndMs);
    }
    this.ledger.reset();
    this.log().info({ heardMs, pendingMs, responseId: active, truncated: points }, 'REALTIME_BARGE_IN');
  }

  item(itemId: string): { ms: number; firstAt: number } | undefined {
    return this.ledger.item(itemId);
  }

  /** A response ended: forget audio the caller has fully heard. */
  settle(heardMs: number): void {
    this.ledger.prune(heardMs);
  }

  /** A new upstream session. */
  clear(): void {
    this.ledger.clear();
  }
}
