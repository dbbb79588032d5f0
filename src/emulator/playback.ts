// Twilio's side of a bidirectional stream's outbound audio: media is buffered and played in order at
// 8 bytes/ms (μ-law 8 kHz; faster by the speed factor), a mark is echoed once everything sent before
// it has played (at once if nothing is buffered), and `clear` drops the buffer and echoes every
// pending mark. Owns its one timer; stop() ends it.

export type MarkReason = 'played' | 'idle' | 'cleared';

type Item = { kind: 'audio'; bytes: Uint8Array } | { kind: 'mark'; name: string };

export interface PlaybackOptions {
  /** μ-law bytes played per millisecond: 8 × speed. */
  bytesPerMs: number;
  onMark: (name: string, reason: MarkReason) => void;
  /** Called when a chunk starts to play (a live caller hears it from then). */
  onAudioStart?: (audio: Uint8Array) => void;
}

export class PlaybackModel {
  private readonly queue: Item[] = [];
  private readonly playedChunks: Uint8Array[] = [];
  private playedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the head audio item started playing (performance.now()). */
  private headStart = 0;
  private stopped = false;

  constructor(private readonly opts: PlaybackOptions) {}

  get bufferedBytes(): number {
    return this.queue.reduce((n, item) => n + (item.kind === 'audio' ? item.bytes.length : 0), 0);
  }

  get pendingMarks(): string[] {
    return this.queue.flatMap((item) => (item.kind === 'mark' ? [item.name] : []));
  }

  get playedByteCount(): number {
    return this.playedBytes;
  }

  enqueueAudio(bytes: Uint8Array): void {
    if (this.stopped || bytes.length === 0) return;
    this.queue.push({ kind: 'audio', bytes });
    if (!this.timer) this.advance(performance.now());
  }

  enqueueMark(name: string): void {
    if (this.stopped) return;
    if (this.queue.length === 0) {
      this.opts.onMark(name, 'idle');
      return;
    }
    this.queue.push({ kind: 'mark', name });
  }

  /** Drops all buffered audio (keeping what was already heard) and echoes every pending mark. */
  clear(): { droppedBytes: number; marks: string[] } {
    const now = performance.now();
    let droppedBytes = 0;
    const head = this.queue[0];
    if (head?.kind === 'audio' && this.timer) {
      const heard = Math.min(head.bytes.length, Math.floor((now - this.headStart) * this.opts.bytesPerMs));
      this.record(head.bytes.subarray(0, heard));
      droppedBytes -= heard;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    const marks: string[] = [];
    for (const item of this.queue.splice(0)) {
      if (item.kind === 'audio') droppedBytes += item.bytes.length;
      else marks.push(item.name);
    }
    for (const name of marks) this.opts.onMark(name, 'cleared');
    return { droppedBytes, marks };
  }

  /** The stream is over: keep what was heard, echo nothing more. */
  stop(): void {
    if (this.stopped) return;
    const head = this.queue[0];
    if (head?.kind === 'audio' && this.timer) {
      const heard = Math.min(
        head.bytes.length,
        Math.floor((performance.now() - this.headStart) * this.opts.bytesPerMs),
      );
      this.record(head.bytes.subarray(0, heard));
    }
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  /** All audio the caller heard, in order. */
  played(): Buffer {
    return Buffer.concat(this.playedChunks);
  }

  private record(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.playedChunks.push(bytes);
    this.playedBytes += bytes.length;
  }

  /** Echoes marks at the head, then starts the next chunk at `startAt` (no drift across chunks). */
  private advance(startAt: number): void {
    while (this.queue[0]?.kind === 'mark') {
      const mark = this.queue.shift() as { kind: 'mark'; name: string };
      this.opts.onMark(mark.name, 'played');
      if (this.stopped) return;
    }
    const head = this.queue[0];
    if (!head) {
      this.timer = undefined;
      return;
    }
    // A chunk queued behind another starts exactly when the previous one ended, however late the
    // timer fired; one that arrives after the player ran dry starts when it arrives.
    this.headStart = startAt;
    const bytes = (head as { bytes: Uint8Array }).bytes;
    this.opts.onAudioStart?.(bytes);
    const end = this.headStart + bytes.length / this.opts.bytesPerMs;
    const played = (): void => {
      // Node's timers run on the event loop's cached clock, which can lag performance.now() by a
      // millisecond or more on a busy machine: what is not played yet is waited for, never echoed.
      const left = end - performance.now();
      if (left > 0) {
        this.timer = setTimeout(played, left);
        return;
      }
      this.record(bytes);
      this.queue.shift();
      this.advance(end);
    };
    this.timer = setTimeout(played, Math.max(0, end - performance.now()));
  }
}
