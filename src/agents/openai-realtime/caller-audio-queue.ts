// Caller audio held while the upstream session is not ready (connecting, reconnecting): bounded
// in milliseconds, oldest dropped first with a warning, flushed in order — never lost silently.
import type { Logger } from 'pino';
import { base64Bytes } from '../../base64.js';

interface QueuedFrame {
  payload: string;
  timestampMs: number;
  ms: number;
}

export class CallerAudioQueue {
  private frames: QueuedFrame[] = [];
  private queuedMs = 0;
  /** Audio dropped because the queue was full, over the whole call. */
  droppedMs = 0;

  constructor(
    private readonly maxMs: number,
    private readonly log: () => Logger,
  ) {}

  get length(): number {
    return this.frames.length;
  }

  push(payload: string, timestampMs: number): void {
    const ms = base64Bytes(payload) / 8;
    this.frames.push({ payload, timestampMs, ms });
    this.queuedMs += ms;
    while (this.queuedMs > this.maxMs && this.frames.length > 1) {
      const dropped = this.frames.shift();
      if (!dropped) break;
      this.queuedMs -= dropped.ms;
      if (this.droppedMs === 0) {
        this.log().warn({ maxMs: this.maxMs }, 'REALTIME_AUDIO_QUEUE_FULL: dropping the oldest caller audio');
      }
      this.droppedMs += dropped.ms;
    }
  }

  /** Sends frames in order until `send` refuses one (socket gone); the rest stay queued. */
  flush(send: (payload: string, timestampMs: number) => boolean): { frames: number; ms: number } {
    let sent = 0;
    let ms = 0;
    for (const frame of this.frames) {
      if (!send(frame.payload, frame.timestampMs)) break;
      sent += 1;
      ms += frame.ms;
    }
    this.frames = this.frames.slice(sent);
    this.queuedMs -= ms;
    return { frames: sent, ms };
  }

  clear(): number {
    const n = this.frames.length;
    this.frames = [];
    this.queuedMs = 0;
    return n;
  }
}
