// One emulated Twilio Media Stream for the load generator: 20 ms caller frames with unique payloads
// (call and frame number in the first 12 bytes), Twilio's playback clock for the server's audio
// (8 bytes/ms; a mark is echoed once the audio sent before it has played, a clear plays nothing
// more), and the bookkeeping that matches each echoed payload to its frame. Built from the
// emulator's wire encoders; leaner than the emulator (no zod judge, no per-call timers).
import type WebSocket from 'ws';
import type { Duplex } from 'node:stream';
import {
  encodeConnected,
  encodeInboundMark,
  encodeInboundMedia,
  encodeStart,
  encodeStop,
} from '../../src/twilio/stream-messages.js';

export const FRAME_MS = 20;
const FRAME_BYTES = 160;
/** 12 bytes = exactly 16 base64 characters, so the tag decodes on its own. */
const TAG_BYTES = 12;
const MAGIC = 0x5a17c0de;
/** The rest of every frame: constant μ-law-ish bytes, encoded once. */
const TAIL_B64 = Buffer.alloc(FRAME_BYTES - TAG_BYTES, 0x7e).toString('base64');
/** After a generator stall, at most this many overdue frames go out at once. */
const MAX_CATCH_UP = 10;

const tagOut = Buffer.alloc(TAG_BYTES);
const tagIn = Buffer.alloc(TAG_BYTES);

/** A preallocated series: the generator must not feed its own GC on the hot path. */
export class Series {
  private values: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

/** Samples shared by all calls of one load point; only frames sent inside the window count. */
export interface Samples {
  windowStart: number;
  windowEnd: number;
  rttMs: Series;
  sendLagMs: Series;
  framesInWindow: number;
}

export interface StreamIdentity {
  callSid: string;
  streamSid: string;
  accountSid: string;
  customParameters: Record<string, string>;
}

/** Reads `"key":"value"` from compact JSON without parsing the whole message. */
function field(text: string, key: string): string | undefined {
  const at = text.indexOf(key);
  if (at < 0) return undefined;
  const from = at + key.length;
  const to = text.indexOf('"', from);
  return to < 0 ? undefined : text.slice(from, to);
}

export class TwilioLeg {
  ws: WebSocket | undefined;
  id: StreamIdentity | undefined;
  failure: string | undefined;
  closed: { code: number; by: 'server' | 'us' } | undefined;
  /** Frames sent; frame k was sent at sentAt[k]. */
  sent = 0;
  echoes = 0;
  firstEcho = -1;
  duplicates = 0;
  /** Echoed payloads that belong to another call or to no frame at all. */
  foreign = 0;
  wrongStreamSid = 0;
  mediaReceived = 0;
  marksReceived = 0;
  marksEchoed = 0;
  clears = 0;
  private readonly sentAt: Float64Array;
  private readonly echoed: Uint8Array;
  private nextDue: number;
  private seq = 0;
  private playEnd = 0;
  private marks: { name: string; due: number }[] = [];
  private markHead = 0;
  private hangingUp = false;

  constructor(
    readonly index: number,
    /** performance.now() of the first frame's slot (phase spread by the caller). */
    firstDue: number,
    /** No frame is due at or after this instant. */
    readonly endAt: number,
    private readonly samples: Samples,
  ) {
    const frames = Math.ceil((endAt - firstDue) / FRAME_MS) + 1;
    this.sentAt = new Float64Array(Math.max(frames, 1));
    this.echoed = new Uint8Array(Math.max(frames, 1));
    this.nextDue = firstDue;
  }

  get live(): boolean {
    return this.ws !== undefined && this.closed === undefined && this.failure === undefined;
  }

  /** Frames still due (the call has not reached its end). */
  get sending(): boolean {
    return this.nextDue < this.endAt && this.sent < this.sentAt.length;
  }

  /** The stream is open: say connected and start, as Twilio does. */
  begin(ws: WebSocket, id: StreamIdentity, now: number): void {
    this.ws = ws;
    this.id = id;
    ws.on('message', (data: Buffer) => this.onMessage(data.toString('latin1')));
    ws.on('close', (code) => {
      this.closed ??= { code, by: this.hangingUp ? 'us' : 'server' };
    });
    ws.on('error', () => undefined);
    ws.send(encodeConnected());
    ws.send(
      encodeStart({
        sequenceNumber: this.nextSeq(),
        accountSid: id.accountSid,
        streamSid: id.streamSid,
        callSid: id.callSid,
        customParameters: id.customParameters,
      }),
    );
    // Keep the call's phase: skip slots that passed while the stream was opening.
    while (this.nextDue + FRAME_MS <= now) this.nextDue += FRAME_MS;
  }

  /** Sends the frames that are due and echoes the marks whose audio has played, in one write. */
  tick(now: number): void {
    const ws = this.ws;
    if (!ws || !this.live) return;
    const frameDue = this.sending && this.nextDue <= now;
    const markDue = this.markHead < this.marks.length && this.marks[this.markHead]!.due <= now;
    if (!frameDue && !markDue) return;
    const socket = (ws as unknown as { _socket?: Duplex })._socket;
    socket?.cork();
    let burst = 0;
    while (this.sending && this.nextDue <= now && burst < MAX_CATCH_UP) {
      this.sendFrame(ws, now);
      burst += 1;
    }
    while (this.markHead < this.marks.length && this.marks[this.markHead]!.due <= now) {
      const mark = this.marks[this.markHead++]!;
      ws.send(
        encodeInboundMark({ sequenceNumber: this.nextSeq(), streamSid: this.id!.streamSid, name: mark.name }),
      );
      this.marksEchoed += 1;
    }
    if (this.markHead > 64 && this.markHead * 2 > this.marks.length) {
      this.marks = this.marks.slice(this.markHead);
      this.markHead = 0;
    }
    socket?.uncork();
  }

  /** Twilio ends the stream: `stop`, then a normal close. */
  hangUp(): void {
    const ws = this.ws;
    if (!ws || this.closed || this.hangingUp) return;
    this.hangingUp = true;
    if (ws.readyState === ws.OPEN && this.id) {
      ws.send(
        encodeStop({
          sequenceNumber: this.nextSeq(),
          streamSid: this.id.streamSid,
          accountSid: this.id.accountSid,
          callSid: this.id.callSid,
        }),
      );
      ws.close(1000, 'stream stopped');
    } else ws.terminate();
  }

  terminate(): void {
    this.hangingUp = true;
    this.ws?.terminate();
  }

  /** Frames never echoed, split at the first echo: before it, the upstream was not ready yet. */
  losses(): { head: number; after: number } {
    let head = 0;
    let after = 0;
    for (let k = 0; k < this.sent; k++) {
      if (this.echoed[k]) continue;
      if (this.firstEcho < 0 || k < this.firstEcho) head += 1;
      else after += 1;
    }
    return { head, after };
  }

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  private sendFrame(ws: WebSocket, now: number): void {
    const k = this.sent;
    tagOut.writeUInt32BE(this.index, 0);
    tagOut.writeUInt32BE(k, 4);
    tagOut.writeUInt32BE(MAGIC, 8);
    ws.send(
      encodeInboundMedia({
        sequenceNumber: this.nextSeq(),
        streamSid: this.id!.streamSid,
        chunk: k + 1,
        // Twilio stamps frames on the media clock.
        timestampMs: k * FRAME_MS,
        payload: tagOut.toString('base64') + TAIL_B64,
      }),
    );
    const at = performance.now();
    this.sentAt[k] = at;
    this.sent = k + 1;
    const s = this.samples;
    if (at >= s.windowStart && at < s.windowEnd) {
      s.framesInWindow += 1;
      s.sendLagMs.push(now - this.nextDue);
    }
    this.nextDue += FRAME_MS;
  }

  private onMessage(text: string): void {
    const now = performance.now();
    const event = field(text, '"event":"');
    if (field(text, '"streamSid":"') !== this.id?.streamSid) this.wrongStreamSid += 1;
    if (event === 'media') return this.onMedia(text, now);
    if (event === 'mark') {
      this.marksReceived += 1;
      const name = field(text, '"name":"') ?? '';
      // Echoed once everything sent before it has played (at once when nothing is playing).
      this.marks.push({ name, due: Math.max(this.playEnd, now) });
      return;
    }
    if (event === 'clear') {
      this.clears += 1;
      this.playEnd = now;
      for (let i = this.markHead; i < this.marks.length; i++) this.marks[i]!.due = now;
    }
  }

  private onMedia(text: string, now: number): void {
    this.mediaReceived += 1;
    const payload = field(text, '"payload":"') ?? '';
    const pad = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
    this.playEnd = Math.max(this.playEnd, now) + ((payload.length * 3) / 4 - pad) / 8;
    if (payload.length < 16) return void (this.foreign += 1);
    tagIn.write(payload.slice(0, 16), 0, 'base64');
    const k = tagIn.readUInt32BE(4);
    if (tagIn.readUInt32BE(8) !== MAGIC || tagIn.readUInt32BE(0) !== this.index || k >= this.sent) {
      this.foreign += 1;
      return;
    }
    if (this.echoed[k]) return void (this.duplicates += 1);
    this.echoed[k] = 1;
    this.echoes += 1;
    if (this.firstEcho < 0) this.firstEcho = k;
    const sentAt = this.sentAt[k]!;
    const s = this.samples;
    if (sentAt >= s.windowStart && sentAt < s.windowEnd) s.rttMs.push(now - sentAt);
  }
}
