// Agent audio to Twilio: cut into ~50 ms media frames, each followed by a mark, always with this
// stream's streamSid. Twilio buffers and plays in order; the echoed marks drive PlaybackTracker.
import type { WebSocket } from 'ws';
import { encodeMark, encodeMedia } from '../twilio/stream-messages.js';
import type { PlaybackTracker } from './playback.js';
import type { CallRecorder } from './recorder.js';

/** 50 ms of μ-law 8 kHz: small enough for a precise playback clock, large enough to avoid jitter. */
const CHUNK_BYTES = 400;
/** Base64 chunks must split on 4-char groups: 532 chars = 399 bytes ≈ 50 ms. */
const CHUNK_CHARS = 532;
const BYTES_PER_MS = 8;
const SLOW_READER_BYTES = 1024 * 1024;

export class OutboundAudio {
  readonly counts = { framesOut: 0, bytesOut: 0, marksOut: 0 };
  private full = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly streamSid: string,
    private readonly playback: PlaybackTracker,
    private readonly onSlowReader: () => void,
    private readonly recorder?: CallRecorder,
  ) {}

  play(audio: Buffer | { base64: string }): void {
    if (this.recorder)
      this.recorder.agent(Buffer.isBuffer(audio) ? audio : Buffer.from(audio.base64, 'base64'));
    if (Buffer.isBuffer(audio)) {
      for (let off = 0; off < audio.length; off += CHUNK_BYTES) {
        const chunk = audio.subarray(off, off + CHUNK_BYTES);
        this.sendChunk(chunk.toString('base64'), chunk.length);
      }
      return;
    }
    const b64 = audio.base64;
    for (let off = 0; off < b64.length; off += CHUNK_CHARS) {
      const part = b64.slice(off, off + CHUNK_CHARS);
      this.sendChunk(part, base64Bytes(part));
    }
  }

  /** Sends a control frame (clear) in order with the audio. */
  send(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(text);
  }

  private sendChunk(payload: string, bytes: number): void {
    if (bytes === 0 || this.ws.readyState !== this.ws.OPEN || this.full) return;
    const mark = this.playback.sentAudio(bytes / BYTES_PER_MS);
    this.ws.send(encodeMedia(this.streamSid, payload));
    this.ws.send(encodeMark(this.streamSid, mark));
    this.counts.framesOut += 1;
    this.counts.bytesOut += bytes;
    this.counts.marksOut += 1;
    if (this.ws.bufferedAmount > SLOW_READER_BYTES) {
      this.full = true;
      this.onSlowReader();
    }
  }
}

function base64Bytes(b64: string): number {
  return (b64.length * 3) / 4 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}
