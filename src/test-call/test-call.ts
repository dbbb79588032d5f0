// One test call: a browser's WebSocket is the caller's phone on a call the in-process Twilio
// emulator places against this server. Microphone frames become the caller's media (silence
// between them), the agent's audio as it plays goes back as binary, keypad presses become DTMF.
// Owns the emulated call and the socket; `ended` resolves once both are over.
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import {
  LiveAudioQueue,
  newSid,
  type CallResult,
  type EmulatedCall,
  type LiveCaller,
  type PlaceCallOptions,
  type TimelineEvent,
} from '../emulator/index.js';
import {
  TEST_CALL_CLOSE,
  TEST_CALL_FRAME_BYTES,
  TEST_CALL_FROM,
  TEST_CALL_MAX_TEXT_BYTES,
  parseClientMessage,
  type TestCallServerMessage,
} from './protocol.js';

/** Where the emulator calls: the webhook URLs as Twilio would sign them. */
export interface TestCallTarget {
  webhookUrl: string;
  statusCallbackUrl: string;
  /** The public origin those URLs are on: a <Play> from it is a file the browser may fetch too. */
  publicOrigin: string;
}

export interface TestCallOptions {
  socket: WebSocket;
  place: (options: PlaceCallOptions) => EmulatedCall;
  target: TestCallTarget;
  log: Logger;
  maxDurationMs: number;
}

/** Frames the browser may send in one second: 50 is real time; more is a sender gone wrong. */
const MAX_FRAMES_PER_SECOND = 100;
/** Agent audio queued to a browser that does not read: past this the call is ended. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export class TestCall {
  readonly callSid = newSid('CA');
  readonly ended: Promise<CallResult | undefined>;

  private readonly queue = new LiveAudioQueue();
  private readonly log: Logger;
  private call: EmulatedCall | undefined;
  private framesIn = 0;
  private bytesOut = 0;
  private windowStart = 0;
  private windowFrames = 0;
  private greeted = false;
  private closed = false;

  constructor(private readonly opts: TestCallOptions) {
    this.log = opts.log.child({ callSid: this.callSid });
    const socket = opts.socket;
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    const left = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.once('close', (code) => {
      this.closed = true;
      // The browser went away (tab closed, network): the caller has hung up.
      if (this.call && !this.call.isFinished) {
        this.log.info({ code }, 'TEST_CALL_LEFT: the browser closed the socket; hanging up');
        void this.call.hangUp();
      }
    });
    socket.on('error', (err) => this.log.warn({ err: err.message }, 'TEST_CALL_SOCKET_ERROR'));
    this.ended = this.run().then(async (result) => {
      await left;
      return result;
    });
  }

  /** The emulated call once placed (the emulator's REST API steers it). */
  get emulated(): EmulatedCall | undefined {
    return this.call;
  }

  /** Ends the call from the server's side (shutdown): the emulated caller hangs up, the socket closes 1001. */
  async stop(): Promise<void> {
    if (this.call && !this.call.isFinished) await this.call.terminate();
    this.close(TEST_CALL_CLOSE.GOING_AWAY, 'server stopping');
    await this.ended;
  }

  private async run(): Promise<CallResult | undefined> {
    const live: LiveCaller = {
      nextFrame: () => this.queue.nextFrame(),
      hear: (audio) => this.sendAudio(audio),
      cleared: () => this.send({ type: 'clear' }),
    };
    let call: EmulatedCall;
    try {
      call = this.opts.place({
        webhookUrl: this.opts.target.webhookUrl,
        statusCallbackUrl: this.opts.target.statusCallbackUrl,
        callSid: this.callSid,
        from: TEST_CALL_FROM,
        // A voicemail <Record> ends after two seconds of the caller, as `agentlocator call` does.
        caller: { live, silence: true, record: { durationSec: 2 } },
        timeLimitMs: this.opts.maxDurationMs,
        onEvent: (event) => this.onEvent(event),
      });
    } catch (err) {
      this.log.error({ err }, 'TEST_CALL_FAILED: the emulator could not place the call');
      this.close(TEST_CALL_CLOSE.INTERNAL, 'could not place the call');
      return undefined;
    }
    this.call = call;
    this.send({ type: 'ringing', callSid: this.callSid });
    if (this.closed) void call.hangUp();
    const started = performance.now();
    const result = await call.done;
    this.log.info(
      {
        endedBy: result.endedBy,
        status: result.status,
        ms: Math.round(performance.now() - started),
        framesIn: this.framesIn,
        framesDropped: this.queue.dropped,
        bytesOut: this.bytesOut,
        violations: result.violations.filter((v) => v.severity !== 'notice').map((v) => v.code),
      },
      'TEST_CALL_END',
    );
    this.send({ type: 'ended', reason: result.endedBy });
    this.close(TEST_CALL_CLOSE.NORMAL, 'call ended');
    return result;
  }

  private onEvent(event: TimelineEvent): void {
    if (event.kind === 'start-sent') {
      this.send({ type: 'connected', callSid: this.callSid });
    } else if ((event.kind === 'play' || event.kind === 'say') && !this.greeted) {
      this.greeted = true;
      const audio = event.kind === 'play' ? this.sameOriginPath(event.detail.url) : undefined;
      this.send({ type: 'greeting', ...(audio ? { audio } : {}) });
    }
  }

  /** The path of a <Play> URL on the server's own public origin (the browser plays it from there). */
  private sameOriginPath(url: unknown): string | undefined {
    if (typeof url !== 'string' || !URL.canParse(url)) return undefined;
    const parsed = new URL(url);
    return parsed.origin === this.opts.target.publicOrigin ? parsed.pathname : undefined;
  }

  // The per-frame path (50 a second each way): no awaits, no logging, no store.
  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    // ws hands over a Buffer (its default binaryType); the queue copies what it keeps.
    const bytes = Buffer.isBuffer(data)
      ? data
      : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    if (isBinary) {
      if (bytes.length !== TEST_CALL_FRAME_BYTES) {
        return this.refuse(
          TEST_CALL_CLOSE.BAD_PAYLOAD,
          `audio frames must be ${TEST_CALL_FRAME_BYTES} bytes`,
        );
      }
      const now = performance.now();
      if (now - this.windowStart >= 1000) {
        this.windowStart = now;
        this.windowFrames = 0;
      }
      this.windowFrames += 1;
      if (this.windowFrames > MAX_FRAMES_PER_SECOND) {
        return this.refuse(TEST_CALL_CLOSE.POLICY, 'audio frames faster than real time');
      }
      this.framesIn += 1;
      this.queue.push(bytes);
      return;
    }
    if (bytes.length > TEST_CALL_MAX_TEXT_BYTES) {
      return this.refuse(TEST_CALL_CLOSE.TOO_BIG, 'text message too long');
    }
    const parsed = parseClientMessage(bytes.toString('utf8'));
    if (!parsed.ok) return this.refuse(parsed.close, parsed.reason);
    if (parsed.message.type === 'hangup') {
      this.log.info('TEST_CALL_HANGUP: the browser hung up');
      void this.call?.hangUp();
    } else {
      // Before the stream is open a key goes nowhere, as on a phone during the greeting.
      this.call?.sendDtmf(parsed.message.digit);
    }
  }

  private sendAudio(audio: Uint8Array): void {
    const socket = this.opts.socket;
    if (this.closed || socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      return this.refuse(TEST_CALL_CLOSE.POLICY, 'the browser is not reading the agent audio');
    }
    this.bytesOut += audio.length;
    socket.send(audio, { binary: true });
  }

  private send(message: TestCallServerMessage): void {
    const socket = this.opts.socket;
    if (!this.closed && socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  }

  /** Bad input: say why in the log and the close frame, and hang the emulated call up. */
  private refuse(code: number, reason: string): void {
    this.log.warn({ close: code, reason }, 'TEST_CALL_BAD_INPUT');
    this.close(code, reason);
    if (this.call && !this.call.isFinished) void this.call.hangUp();
  }

  private close(code: number, reason: string): void {
    const socket = this.opts.socket;
    this.closed = true;
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING)
      socket.close(code, reason);
  }
}
