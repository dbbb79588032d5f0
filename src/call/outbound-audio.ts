// Agent audio to Twilio, always with this stream's streamSid: media frames of at most 50 ms, a mark
// after every ~100 ms of audio and one when the audio stops, each play() in one socket write.
// Twilio plays in order; its echoed marks drive PlaybackTracker. Owns its one idle timer.
//
// "The audio stopped" is told by the caller's own frames when they flow (Twilio sends one every
// 20 ms, silence included, stamped on the stream's media clock): a play between two of them costs
// nothing more, and the timer only watches, once a second, for the frames stopping. Audio
// played with no caller frame since the last play (a burst faster than real time, a line that
// sends no silence) pushes the timer back instead. Pushing it back on every play, fifty times a
// second per call, had Node's timer list wake to find it pushed back (measured: bench/README.md).
import { encodeClear, markEncoder, mediaFrameParts } from '../twilio/stream-messages.js';
import { base64Bytes } from '../base64.js';
import type { DirectFrames } from '../ws/direct-frames.js';
import { frameWrap, type FrameWrap } from '../ws/text-frames.js';
import type { PlaybackTracker } from './playback.js';
import type { CallRecorder } from './recorder.js';

/** 50 ms of μ-law 8 kHz: small enough for a precise playback clock, large enough to avoid jitter. */
const CHUNK_BYTES = 400;
/** Base64 chunks must split on 4-char groups: 532 chars = 399 bytes ≈ 50 ms. */
const CHUNK_CHARS = 532;
const BYTES_PER_MS = 8;
/**
 * A mark after this much audio. The playback clock (heardMs, barge-in truncation) is exact at each
 * mark, so this is its resolution; fewer marks mean fewer writes and fewer echoes to read (with a
 * mark per 20 ms delta, marks were half of all messages both ways).
 */
export const MARK_EVERY_MS = 100;
/** Audio sent with no mark after it yet gets its mark once no more audio came for this long. */
export const MARK_IDLE_MS = 40;
/** While caller frames flow, how often the timer checks that they still do. */
export const FRAMES_STALLED_MS = 1000;
const SLOW_READER_BYTES = 1024 * 1024;

export class OutboundAudio {
  readonly counts = { framesOut: 0, bytesOut: 0, marksOut: 0 };
  private full = false;
  private unmarkedMs = 0;
  private idle: NodeJS.Timeout | undefined;
  private idleMs = 0;
  /** The media clock (ms) of the caller's latest frame, at the latest play, when the timer was set. */
  private callerMs = 0;
  private playedAtMs = 0;
  private idleSetAtMs = 0;
  /** performance.now() at the latest play: caller frames that arrive in a clump are no pause. */
  private playedAtWallMs = 0;
  /** A caller frame came after the latest play: the frames, not the timer, tell the pause. */
  private framesFlowing = false;
  private readonly media: FrameWrap;
  private readonly encodeMark: (name: string) => string;

  constructor(
    /** The Twilio socket; only while it is OPEN is anything sent. */
    private readonly frames: DirectFrames,
    private readonly streamSid: string,
    private readonly playback: PlaybackTracker,
    private readonly onSlowReader: () => void,
    private readonly recorder?: CallRecorder,
    /** Counts frames sent (the process-wide metric). */
    private readonly onFrames?: (frames: number) => void,
  ) {
    const { head, tail } = mediaFrameParts(streamSid);
    this.media = frameWrap(head, tail);
    this.encodeMark = markEncoder(streamSid);
  }

  play(audio: Buffer | { base64: string }): void {
    if (!this.writable()) return;
    const framesBefore = this.counts.framesOut;
    if (Buffer.isBuffer(audio)) {
      for (let off = 0; off < audio.length; off += CHUNK_BYTES) {
        const chunk = audio.subarray(off, off + CHUNK_BYTES);
        this.sendChunk(chunk.toString('base64'), chunk.length);
      }
    } else {
      const b64 = audio.base64;
      if (b64.length <= CHUNK_CHARS) this.sendChunk(b64, base64Bytes(b64));
      else {
        for (let off = 0; off < b64.length; off += CHUNK_CHARS) {
          const part = b64.slice(off, off + CHUNK_CHARS);
          this.sendChunk(part, base64Bytes(part));
        }
      }
    }
    this.frames.flush();
    // Bookkeeping after the write: the audio leaves as early as it can.
    if (this.recorder) {
      if (Buffer.isBuffer(audio)) this.recorder.agent(audio);
      else this.recorder.agentBase64(audio.base64);
    }
    this.onFrames?.(this.counts.framesOut - framesBefore);
    this.playedAtMs = this.callerMs;
    this.playedAtWallMs = performance.now();
    if (this.unmarkedMs > 0) this.armIdleMark();
    this.framesFlowing = false;
    if (this.frames.queuedBytes() > SLOW_READER_BYTES) {
      this.full = true;
      this.onSlowReader();
    }
  }

  /**
   * A caller frame arrived, stamped `timestampMs` on the stream's media clock: audio that has
   * had no more after it for MARK_IDLE_MS, on that clock and on ours, gets its mark now. Ours as
   * well because frames can arrive in a clump (network jitter, a busy event loop): the media
   * clock then jumps while audio is still being played.
   */
  callerFrame(timestampMs: number): void {
    // Only a clock that moves forward tells a pause (a repeated or garbled stamp leaves it to the timer).
    if (!(timestampMs > this.callerMs)) return;
    this.callerMs = timestampMs;
    this.framesFlowing = true;
    if (
      this.unmarkedMs > 0 &&
      timestampMs - this.playedAtMs >= MARK_IDLE_MS &&
      performance.now() - this.playedAtWallMs >= MARK_IDLE_MS &&
      this.writable()
    ) {
      this.sendMark();
      this.frames.flush();
    }
  }

  /** Barge-in: Twilio drops its buffer and echoes the pending marks (stale by then). */
  clear(): void {
    this.unmarkedMs = 0;
    if (this.frames.open()) this.frames.send(encodeClear(this.streamSid));
  }

  /** The stream ended: no mark is owed any more. */
  dispose(): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    this.unmarkedMs = 0;
  }

  private writable(): boolean {
    return this.frames.open() && !this.full;
  }

  private sendChunk(payload: string, bytes: number): void {
    if (bytes === 0) return;
    const ms = bytes / BYTES_PER_MS;
    this.frames.queueWrapped(this.media, payload);
    this.playback.addAudio(ms);
    this.unmarkedMs += ms;
    this.counts.framesOut += 1;
    this.counts.bytesOut += bytes;
    if (this.unmarkedMs >= MARK_EVERY_MS) this.sendMark();
  }

  private sendMark(): void {
    this.frames.queue(this.encodeMark(this.playback.mark()));
    this.unmarkedMs = 0;
    this.counts.marksOut += 1;
  }

  /**
   * One timer per stream. With no caller frame since the last play it is pushed back by every
   * play and fires once the audio pauses; with frames flowing it is left running and watches them.
   */
  private armIdleMark(): void {
    if (this.framesFlowing) {
      if (!this.idle) this.startIdle(FRAMES_STALLED_MS);
      return;
    }
    if (this.idle && this.idleMs === MARK_IDLE_MS) {
      this.idleSetAtMs = this.callerMs;
      this.idle.refresh();
    } else {
      clearTimeout(this.idle);
      this.startIdle(MARK_IDLE_MS);
    }
  }

  private startIdle(ms: number): void {
    this.idleMs = ms;
    this.idleSetAtMs = this.callerMs;
    this.idle = setTimeout(() => this.onIdle(), ms);
    this.idle.unref();
  }

  private onIdle(): void {
    this.idle = undefined;
    if (this.unmarkedMs === 0 || !this.writable()) return;
    // Caller frames came meanwhile: they tell the pause (callerFrame); watch for them stopping.
    if (this.callerMs !== this.idleSetAtMs) return this.startIdle(FRAMES_STALLED_MS);
    this.sendMark();
    this.frames.flush();
  }
}
