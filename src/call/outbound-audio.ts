// Agent audio to Twilio, always with this stream's streamSid: media frames of at most 50 ms, a mark
// after every ~100 ms of audio and one when the audio stops, each play() in one socket write.
// Twilio plays in order; its echoed marks drive PlaybackTracker. Owns its one idle timer.
//
// "The audio stopped" is told by the caller's own frames when they flow (Twilio sends one every
// 20 ms, silence included, stamped on the stream's media clock): a play between two of them costs
// nothing more, and the timer only watches, once a second, for the frames stopping. Audio
// played with no caller frame since the last play (a burst faster than real time, a line that
// sends no silence) pushes the timer back instead. Pushing it back on every play, fifty times a
// second per call, and Node's timer list waking to find it pushed back, was ~1.5 % of the
// server's CPU under load.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { encodeClear, encodeMedia, markEncoder, mediaFrameParts } from '../twilio/stream-messages.js';
import { base64Bytes } from '../base64.js';
import { directSocket } from '../ws/direct-socket.js';
import { frameWrap, TextFrameBatch, type FrameWrap } from '../ws/text-frames.js';
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
  /**
   * ws keeps its socket private. Our frames go to it directly, in order with ws's own writes (ws
   * writes synchronously: no compression, no fragments), and only while the socket is OPEN.
   */
  private readonly socket: Duplex | undefined;
  private readonly batch = new TextFrameBatch();
  private readonly media: FrameWrap;
  private readonly encodeMark: (name: string) => string;

  constructor(
    private readonly ws: WebSocket,
    private readonly streamSid: string,
    private readonly playback: PlaybackTracker,
    private readonly onSlowReader: () => void,
    private readonly recorder?: CallRecorder,
    /** Counts frames sent (the process-wide metric). */
    private readonly onFrames?: (frames: number) => void,
  ) {
    this.socket = directSocket(ws);
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
    this.flush();
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
    // Without an extension ws queues nothing itself: what waits is in the socket.
    const queued = this.socket ? this.socket.writableLength : this.ws.bufferedAmount;
    if (queued > SLOW_READER_BYTES) {
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
      this.flush();
    }
  }

  /** Barge-in: Twilio drops its buffer and echoes the pending marks (stale by then). */
  clear(): void {
    this.unmarkedMs = 0;
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeClear(this.streamSid));
  }

  /** The stream ended: no mark is owed any more. */
  dispose(): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    this.unmarkedMs = 0;
  }

  private writable(): boolean {
    return this.ws.readyState === this.ws.OPEN && !this.full;
  }

  private sendChunk(payload: string, bytes: number): void {
    if (bytes === 0) return;
    const ms = bytes / BYTES_PER_MS;
    if (this.socket) this.batch.addWrapped(this.media, payload);
    else this.ws.send(encodeMedia(this.streamSid, payload));
    this.playback.addAudio(ms);
    this.unmarkedMs += ms;
    this.counts.framesOut += 1;
    this.counts.bytesOut += bytes;
    if (this.unmarkedMs >= MARK_EVERY_MS) this.sendMark();
  }

  private sendMark(): void {
    this.queue(this.encodeMark(this.playback.mark()));
    this.unmarkedMs = 0;
    this.counts.marksOut += 1;
  }

  private queue(text: string): void {
    if (this.socket) this.batch.add(text);
    else this.ws.send(text);
  }

  private flush(): void {
    if (this.socket) this.batch.writeTo(this.socket);
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
    this.flush();
  }
}
