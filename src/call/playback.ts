// PlaybackTracker: Twilio's echoed marks are the playback clock. Tracks ms of agent audio sent and
// acknowledged per generation; a barge-in bumps the generation so marks from before are stale.
// Audio counts as sent at once (pendingMs); heard advances mark by mark, so it is exact at the
// marks' positions, however far apart the sender puts them.

const MARK_NAME = /^g(\d+):(\d+(?:\.\d+)?):\d+$/;

interface Waiter {
  targetMs: number;
  resolve: () => void;
}

export class PlaybackTracker {
  private generation = 0;
  private seq = 0;
  private sent = 0;
  private heard = 0;
  private waiters: Waiter[] = [];

  /** Records `ms` more audio sent; returns the mark name to send after it. */
  sentAudio(ms: number): string {
    this.addAudio(ms);
    return this.mark();
  }

  /** Records `ms` more audio sent, without a mark yet. */
  addAudio(ms: number): void {
    this.sent += ms;
  }

  /** The name of a mark placed after everything sent so far. */
  mark(): string {
    this.seq += 1;
    // The name carries generation and end position: no lookup table to grow or leak.
    return `g${this.generation}:${this.sent}:${this.seq}`;
  }

  /** Handles an echoed mark; false when it is foreign or from a cleared generation. */
  ack(name: string): boolean {
    const m = MARK_NAME.exec(name);
    if (!m || Number(m[1]) !== this.generation) return false;
    const endMs = Number(m[2]);
    if (endMs > this.heard) this.heard = Math.min(endMs, this.sent);
    this.release(false);
    return true;
  }

  /** Barge-in: forget queued audio; returns what the caller had heard of it. */
  interrupt(): number {
    const heard = this.heard;
    this.generation += 1;
    this.sent = 0;
    this.heard = 0;
    this.release(true);
    return heard;
  }

  heardMs(): number {
    return this.heard;
  }

  pendingMs(): number {
    return this.sent - this.heard;
  }

  /** Resolves once everything sent so far is heard, or cleared by an interrupt. */
  whenPlayed(): Promise<void> {
    if (this.heard >= this.sent) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ targetMs: this.sent, resolve }));
  }

  /** Ends the tracker with the call: nobody waits forever on a stream that is gone. */
  dispose(): void {
    this.release(true);
  }

  private release(all: boolean): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (all || this.heard >= w.targetMs) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
