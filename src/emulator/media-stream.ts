// One open bidirectional Media Stream, Twilio's side: sends connected/start, the caller's audio as
// 20 ms media frames (silence when idle, as a live phone line does), dtmf, mark echoes and stop;
// judges every frame the server sends and plays its audio through the playback model.
// Owns its socket, its frame pump timer and its playback; stop() or the socket closing ends them.
import type WebSocket from 'ws';
import {
  encodeConnected,
  encodeDtmf,
  encodeInboundMark,
  encodeInboundMedia,
  encodeStart,
  encodeStop,
} from '../twilio/stream-messages.js';
import { judgeOutbound } from './outbound-check.js';
import type { LiveCaller } from './media-source.js';
import { PlaybackModel, type MarkReason } from './playback.js';
import type { StreamCounters } from './types.js';

const FRAME_BYTES = 160;
const FRAME_MS = 20;
const SILENCE = 0xff;
/** After a stall, send at most this many frames at once to catch up. */
const MAX_CATCH_UP = 25;
/** Violations of one code kept per stream; the rest are counted (Twilio reports them once). */
const MAX_KEPT_PER_CODE = 50;

export interface StreamHooks {
  event(kind: string, detail?: Record<string, unknown>): void;
  violate(code: 31903 | 31921 | 31924 | 31950 | 31951, message: string): void;
}

export interface StreamEnd {
  by: 'emulator' | 'server' | 'network';
  closeCode: number;
  reason: string;
}

/** Counters at the start of a stream. */
export function newStreamCounters(): StreamCounters {
  return {
    framesSent: 0,
    audioBytesSent: 0,
    dtmfSent: 0,
    mediaReceived: 0,
    audioBytesReceived: 0,
    marksReceived: 0,
    marksEchoed: [],
    clears: 0,
    badFrames: 0,
  };
}

export interface MediaStreamOptions {
  ws: WebSocket;
  accountSid: string;
  callSid: string;
  streamSid: string;
  customParameters: Record<string, string>;
  speed: number;
  /** Keep sending μ-law silence when the caller has nothing to say (a real line never goes quiet). */
  silence: boolean;
  /** A live line: its frames are the caller's audio (silence between them), and it hears the playback. */
  live?: LiveCaller;
  hooks: StreamHooks;
  /** Milliseconds since the call began (the timeline clock). */
  clock: () => number;
}

interface Pending {
  bytes: Uint8Array;
  offset: number;
  done: () => void;
}

export class MediaStream {
  readonly streamSid: string;
  readonly ended: Promise<StreamEnd>;
  readonly counters: StreamCounters = newStreamCounters();

  private readonly playback: PlaybackModel;
  private readonly pending: Pending[] = [];
  private readonly kept = new Map<number, number>();
  private seq = 0;
  private chunk = 0;
  private lastTimestamp = -FRAME_MS;
  private streamStart = 0;
  private pumpTimer: NodeJS.Timeout | undefined;
  private nextFrameAt = 0;
  private closing = false;
  private protocolError = false;
  private resolveEnded!: (end: StreamEnd) => void;

  constructor(private readonly opts: MediaStreamOptions) {
    this.streamSid = opts.streamSid;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.playback = new PlaybackModel({
      bytesPerMs: 8 * opts.speed,
      onMark: (name, reason) => this.echoMark(name, reason),
      ...(opts.live ? { onAudioStart: (audio: Uint8Array) => opts.live?.hear(audio) } : {}),
    });
    opts.ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    opts.ws.on('error', (err) => {
      // ws reports bad framing (fragmented control frame, bad UTF-8, RSV bits) as WS_ERR_* codes.
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code.startsWith('WS_ERR_')) {
        this.protocolError = true;
        this.opts.hooks.violate(31924, `WebSocket protocol error from the server: ${err.message}`);
      }
    });
    opts.ws.on('close', (closeCode, reason) => this.onClose(closeCode, reason.toString()));
  }

  /** Sends `connected` and `start`, then starts the caller's side of the audio. */
  begin(): void {
    this.streamStart = performance.now();
    this.send(encodeConnected());
    this.opts.hooks.event('connected-sent');
    this.send(
      encodeStart({
        sequenceNumber: this.nextSeq(),
        accountSid: this.opts.accountSid,
        streamSid: this.streamSid,
        callSid: this.opts.callSid,
        customParameters: this.opts.customParameters,
      }),
    );
    this.opts.hooks.event('start-sent', { streamSid: this.streamSid });
    this.nextFrameAt = performance.now();
    if (this.continuous) this.schedulePump();
  }

  /** A frame goes out every 20 ms, audio or silence, as on a real line. */
  private get continuous(): boolean {
    return this.opts.silence || this.opts.live !== undefined;
  }

  get isOpen(): boolean {
    return !this.closing && this.opts.ws.readyState === this.opts.ws.OPEN;
  }

  /** Streams caller audio at the call's pace; resolves when its last frame has been sent. */
  sendAudio(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen || bytes.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.pending.push({ bytes, offset: 0, done: resolve });
      if (!this.pumpTimer) {
        this.nextFrameAt = Math.max(this.nextFrameAt, performance.now());
        this.schedulePump();
      }
    });
  }

  sendDtmf(digit: string): boolean {
    if (!this.isOpen) return false;
    this.send(encodeDtmf({ sequenceNumber: this.nextSeq(), streamSid: this.streamSid, digit }));
    this.counters.dtmfSent += 1;
    this.opts.hooks.event('dtmf-sent', { digit });
    return true;
  }

  /** All audio the caller heard from the server on this stream. */
  played(): Buffer {
    return this.playback.played();
  }

  get bufferedBytes(): number {
    return this.playback.bufferedBytes;
  }

  /** Twilio ends the stream: `stop`, then a normal close. Resolves when the socket is closed. */
  async stop(): Promise<StreamEnd> {
    if (this.isOpen) {
      this.closing = true;
      this.halt();
      this.send(
        encodeStop({
          sequenceNumber: this.nextSeq(),
          streamSid: this.streamSid,
          accountSid: this.opts.accountSid,
          callSid: this.opts.callSid,
        }),
      );
      this.opts.hooks.event('stop-sent');
      this.opts.ws.close(1000, 'stream stopped');
      const forced = setTimeout(() => this.opts.ws.terminate(), 2000);
      const end = await this.ended;
      clearTimeout(forced);
      return end;
    }
    this.halt();
    return this.ended;
  }

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  private send(text: string): void {
    if (this.opts.ws.readyState === this.opts.ws.OPEN) this.opts.ws.send(text);
  }

  private halt(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    this.playback.stop();
    for (const p of this.pending.splice(0)) p.done();
  }

  private schedulePump(): void {
    const delay = Math.max(0, this.nextFrameAt - performance.now());
    this.pumpTimer = setTimeout(() => this.pump(), delay);
  }

  /** Sends every frame that is due (catching up after a stall), then schedules the next one. */
  private pump(): void {
    this.pumpTimer = undefined;
    if (!this.isOpen) return;
    const interval = FRAME_MS / this.opts.speed;
    let sent = 0;
    while (this.nextFrameAt <= performance.now() && sent < MAX_CATCH_UP) {
      const frame = this.nextFrame();
      if (!frame) break;
      this.sendFrame(frame);
      this.nextFrameAt += interval;
      sent += 1;
    }
    if (this.nextFrameAt < performance.now() - interval * MAX_CATCH_UP) this.nextFrameAt = performance.now();
    if (this.pending.length > 0 || this.continuous) this.schedulePump();
  }

  private nextFrame(): Uint8Array | undefined {
    const head = this.pending[0];
    if (!head) {
      const live = this.opts.live?.nextFrame();
      if (live) {
        this.counters.audioBytesSent += live.length;
        return live;
      }
      return this.continuous ? new Uint8Array(FRAME_BYTES).fill(SILENCE) : undefined;
    }
    const frame = new Uint8Array(FRAME_BYTES).fill(SILENCE);
    const take = head.bytes.subarray(head.offset, head.offset + FRAME_BYTES);
    frame.set(take);
    head.offset += take.length;
    this.counters.audioBytesSent += take.length;
    if (head.offset >= head.bytes.length) {
      this.pending.shift();
      head.done();
    }
    return frame;
  }

  private sendFrame(frame: Uint8Array): void {
    this.chunk += 1;
    const elapsed = Math.round((performance.now() - this.streamStart) * this.opts.speed);
    this.lastTimestamp = Math.max(this.lastTimestamp + FRAME_MS, elapsed);
    this.send(
      encodeInboundMedia({
        sequenceNumber: this.nextSeq(),
        streamSid: this.streamSid,
        chunk: this.chunk,
        timestampMs: this.lastTimestamp,
        payload: Buffer.from(frame).toString('base64'),
      }),
    );
    this.counters.framesSent += 1;
  }

  private echoMark(name: string, reason: MarkReason): void {
    if (!this.isOpen) return;
    this.send(encodeInboundMark({ sequenceNumber: this.nextSeq(), streamSid: this.streamSid, name }));
    this.counters.marksEchoed.push({ name, reason, t: this.opts.clock() });
    this.opts.hooks.event('mark-echoed', { name, reason });
  }

  private violate(code: 31924 | 31950 | 31951, message: string): void {
    this.counters.badFrames += 1;
    const kept = this.kept.get(code) ?? 0;
    this.kept.set(code, kept + 1);
    if (kept < MAX_KEPT_PER_CODE) this.opts.hooks.violate(code, message);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    const verdict = judgeOutbound(data, isBinary, this.streamSid);
    if (!verdict.ok) return this.violate(verdict.code, verdict.reason);
    const message = verdict.message;
    if (message.event === 'media') {
      const audio = verdict.audio ?? Buffer.alloc(0);
      this.counters.mediaReceived += 1;
      this.counters.audioBytesReceived += audio.length;
      if (this.counters.mediaReceived === 1)
        this.opts.hooks.event('first-media-received', { bytes: audio.length });
      this.playback.enqueueAudio(audio);
    } else if (message.event === 'mark') {
      this.counters.marksReceived += 1;
      this.opts.hooks.event('mark-received', {
        name: message.mark.name,
        bufferedBytes: this.playback.bufferedBytes,
      });
      this.playback.enqueueMark(message.mark.name);
    } else {
      this.counters.clears += 1;
      const { droppedBytes, marks } = this.playback.clear();
      this.opts.live?.cleared();
      this.opts.hooks.event('clear-received', { droppedBytes, marks });
    }
  }

  private onClose(closeCode: number, reason: string): void {
    const byUs = this.closing;
    this.closing = true;
    this.halt();
    let by: StreamEnd['by'] = 'emulator';
    if (!byUs) {
      // 1006: the TCP connection went away with no close frame — Twilio's broken pipe.
      if (closeCode === 1006 && !this.protocolError) {
        by = 'network';
        this.opts.hooks.violate(31903, 'the connection to the stream server broke (no close frame)');
      } else {
        by = 'server';
        if (!this.protocolError) {
          this.opts.hooks.violate(
            31921,
            `the server closed the stream (code ${closeCode}${reason ? ` "${reason}"` : ''}); Twilio stops the stream and resumes the TwiML`,
          );
        }
      }
    }
    this.opts.hooks.event('ws-closed', { by, closeCode, reason });
    this.resolveEnded({ by, closeCode, reason });
  }
}
