// The limits that keep one bad Twilio peer from hurting the process or other calls, and the
// per-stream guard that applies the bad-frame and frame-rate ones.
import type { Logger } from 'pino';

/** Limits that keep one bad peer from hurting the process or other calls. */
export const SESSION_LIMITS = {
  /** Malformed frames tolerated before the stream is closed as abusive. */
  maxBadFrames: 100,
  /**
   * Frames per second above which a peer is flooding. Twilio sends ~50 media frames plus marks;
   * 20× that leaves room for a burst after a network stall and for the emulator's fast mode.
   */
  maxFramesPerSecond: 1000,
  /**
   * Frames accepted before `start`: Twilio sends `connected` then `start`; a peer that keeps
   * talking without starting holds a socket for nothing.
   */
  maxFramesBeforeStart: 8,
  /** Caller frames buffered until the agent exists (token check, store lookups): 5 s of audio. */
  maxEarlyFrames: 250,
  /** Bytes queued on the socket beyond which the peer is not reading. */
  maxBufferedBytes: 1024 * 1024,
  heartbeatMs: 15_000,
  /** WS_FRAME is logged for the first frame, then once per this many frames (never per frame). */
  frameLogEvery: 500,
};

/** Counts frames per one-second window: 'ok', 'flood' once when the limit is crossed, then 'over'. */
export class FrameRate {
  private windowStart = Date.now();
  private frames = 0;

  check(): 'ok' | 'flood' | 'over' {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.frames = 0;
    }
    const n = ++this.frames;
    if (n <= SESSION_LIMITS.maxFramesPerSecond) return 'ok';
    return n === SESSION_LIMITS.maxFramesPerSecond + 1 ? 'flood' : 'over';
  }
}

/** One stream's guard against a bad peer: bad frames dropped (one warning per kind), floods rejected. */
export class FrameGuard {
  private readonly warned = new Set<string>();
  private readonly rate = new FrameRate();

  constructor(
    /** The session's counters: bad frames are counted in them. */
    private readonly counts: { badFrames: number },
    private readonly on: { log(): Logger; badFrame(): void; flood(detail: string): void },
  ) {}

  /** A frame dropped as bad; past maxBadFrames the stream is rejected as a flood. */
  bad(kind: string, reason: string): void {
    this.counts.badFrames += 1;
    this.on.badFrame();
    // One warning per kind per stream: a broken peer must not flood the logs.
    if (!this.warned.has(kind)) {
      this.warned.add(kind);
      this.on.log().warn({ reason }, 'WS_BAD_FRAME dropped');
    }
    if (this.counts.badFrames > SESSION_LIMITS.maxBadFrames) {
      this.on.flood(`${this.counts.badFrames} bad frames`);
    }
  }

  /** Per frame: true while the peer is over the frame rate (rejected the moment it crosses it). */
  flooding(): boolean {
    const rate = this.rate.check();
    if (rate === 'flood') {
      this.on.flood(`more than ${SESSION_LIMITS.maxFramesPerSecond} frames in a second`);
    }
    return rate !== 'ok';
  }
}
