// One WebSocket to a Realtime server. Owns the socket and its timers: connect with a timeout and
// an abort that works while CONNECTING, a ping/pong stall check, and parsing at the edge. It never
// lets ws emit an unhandled 'error' (ws emits one when a CONNECTING socket is closed).
import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { WrappedText } from '../../ws/text-frames.js';
import { attachDirectFrames, type DirectFrames } from '../../ws/direct-frames.js';
import type { RealtimeEndpoint } from './endpoint.js';
import { parseServerEvent, type ServerEvent } from './server-events.js';

export type ConnectFailure =
  | { kind: 'refused'; status: number; detail: string }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'network'; detail: string };

export type ConnectResult = { ok: true } | { ok: false; failure: ConnectFailure };

export interface RealtimeClientHandler {
  onEvent(event: ServerEvent): void;
  /** The server or the network closed an open socket (never called for our own close()). */
  onClose(info: { code: number; reason: string }): void;
}

export interface RealtimeClientOptions {
  endpoint: RealtimeEndpoint;
  connectTimeoutMs: number;
  /** Ping interval; a missing pong by the next ping ends the socket. 0 disables. */
  heartbeatMs: number;
  log: Logger;
  /** Frames read and written on ws's socket (src/ws/); false: through ws's API. Default true. */
  directFrames?: boolean;
  /** Called once the socket is open, before any queued event is delivered (session.update goes here). */
  onOpen?: (client: RealtimeClient) => void;
}

export type ClientState = 'idle' | 'connecting' | 'open' | 'closed';

/** Events that arrive before a handler is attached (a pre-warmed session) are kept, bounded. */
const MAX_EARLY_EVENTS = 64;
/** Deltas are small; client audio appends may be up to 15 MiB by the docs. */
const MAX_PAYLOAD = 16 * 1024 * 1024;
const MAX_ERROR_BODY = 1024;

export class RealtimeClient {
  private ws: WebSocket | undefined;
  /** Set once open: reads and sends the frames (src/ws/direct-frames.ts). */
  private frames: DirectFrames | undefined;
  private _state: ClientState = 'idle';
  private handler: RealtimeClientHandler | undefined;
  private early: ServerEvent[] = [];
  private earlyClose: { code: number; reason: string } | undefined;
  private connecting: Promise<ConnectResult> | undefined;
  private settle: ((r: ConnectResult) => void) | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private badEvents = 0;
  openedAt: number | undefined;

  constructor(private readonly opts: RealtimeClientOptions) {}

  get state(): ClientState {
    return this._state;
  }

  /** Whether frames are read off the socket and written to it by hand rather than by ws. */
  get directFrames(): boolean {
    return this.frames?.direct ?? false;
  }

  /** Opens the socket once; later calls return the same attempt. Never rejects. */
  connect(): Promise<ConnectResult> {
    if (this.connecting) return this.connecting;
    if (this._state === 'closed') {
      return (this.connecting = Promise.resolve({ ok: false, failure: { kind: 'aborted' } }));
    }
    this.connecting = new Promise<ConnectResult>((resolve) => {
      this.settle = resolve;
    });
    this._state = 'connecting';
    const { url, headers } = this.opts.endpoint;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { headers: { ...headers }, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });
    } catch (err) {
      this.finishConnect({ ok: false, failure: { kind: 'network', detail: describe(err) } });
      this._state = 'closed';
      return this.connecting;
    }
    this.ws = ws;
    this.connectTimer = setTimeout(() => {
      this.finishConnect({ ok: false, failure: { kind: 'timeout' } });
      this.shutdown();
    }, this.opts.connectTimeoutMs);
    // Always listening: an 'error' without a listener would kill the process (and every call).
    ws.on('error', (err) => {
      if (this._state === 'connecting') {
        this.finishConnect({ ok: false, failure: { kind: 'network', detail: describe(err) } });
      } else if (this._state === 'open') {
        this.opts.log.warn({ err: describe(err) }, 'REALTIME_SOCKET_ERROR');
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      // The server refused the upgrade (401 bad key, 403, 404 model, 429 quota…): keep its reason.
      const status = res.statusCode ?? 0;
      let body = '';
      const done = (): void => {
        clearTimeout(bodyTimer);
        res.removeAllListeners('data');
        res.resume();
        this.finishConnect({
          ok: false,
          failure: { kind: 'refused', status, detail: body.trim() || (res.statusMessage ?? '') },
        });
        this.shutdown();
      };
      const bodyTimer = setTimeout(done, 300);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_ERROR_BODY) body += chunk.slice(0, MAX_ERROR_BODY - body.length);
      });
      res.once('end', done);
      res.once('error', done);
    });
    ws.on('open', () => {
      if (this._state !== 'connecting') return;
      clearTimeout(this.connectTimer);
      this._state = 'open';
      this.openedAt = Date.now();
      // Audio deltas arrive 50 times a second: read off the socket, appends written to it.
      this.frames = attachDirectFrames(ws, this.onMessage, { enabled: this.opts.directFrames ?? true });
      this.startHeartbeat();
      try {
        this.opts.onOpen?.(this);
      } catch (err) {
        this.opts.log.error({ err }, 'REALTIME_ON_OPEN_FAILED');
      }
      this.finishConnect({ ok: true });
    });
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    ws.on('close', (code, reason) => {
      const wasOpen = this._state === 'open';
      this.stopTimers();
      if (this._state === 'connecting') {
        this.finishConnect({ ok: false, failure: { kind: 'network', detail: `closed with ${code}` } });
      }
      if (this._state === 'closed') return; // our own close
      this._state = 'closed';
      if (!wasOpen) return;
      const info = { code, reason: reason.toString() };
      if (this.handler) this.closed(info);
      else this.earlyClose = info;
    });
    return this.connecting;
  }

  /** Attaches the consumer; events (and a close) that arrived before are delivered now, in order. */
  setHandler(handler: RealtimeClientHandler): void {
    this.handler = handler;
    const early = this.early;
    this.early = [];
    for (const e of early) this.deliver(e);
    if (this.earlyClose) {
      const info = this.earlyClose;
      this.earlyClose = undefined;
      this.closed(info);
    }
  }

  /**
   * Sends one client event (JSON text, or a wrapped ASCII one: the audio appends); false when the
   * socket is not open (the caller decides what that means).
   */
  send(event: string | WrappedText): boolean {
    const frames = this.frames;
    if (this._state !== 'open' || !frames?.open()) return false;
    frames.send(event);
    return true;
  }

  /** Closes from our side at once, whatever the state; idempotent; never throws. */
  close(reason: string): void {
    if (this._state === 'closed') return;
    const wasConnecting = this._state === 'connecting' || this._state === 'idle';
    this._state = 'closed';
    this.stopTimers();
    if (wasConnecting) this.finishConnect({ ok: false, failure: { kind: 'aborted' } });
    const ws = this.ws;
    if (!ws) return;
    try {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, reason.slice(0, 120));
      else ws.terminate(); // CONNECTING: aborts the handshake (emits 'error', which we handle)
    } catch (err) {
      this.opts.log.warn({ err: describe(err) }, 'REALTIME_CLOSE_FAILED');
    }
  }

  private readonly onMessage = (data: Buffer, isBinary: boolean): void => {
    if (this._state !== 'open') return;
    if (isBinary) return this.bad('binary frame');
    const parsed = parseServerEvent(data.toString('utf8'));
    if (!parsed.ok) {
      if (parsed.ignored) {
        if (this.opts.log.isLevelEnabled('debug'))
          this.opts.log.debug({ type: parsed.type }, 'REALTIME_EVENT_IGNORED');
        return;
      }
      return this.bad(parsed.reason);
    }
    if (this.handler) this.deliver(parsed.event);
    else if (this.early.length < MAX_EARLY_EVENTS) this.early.push(parsed.event);
  };

  // A throw in a handler would surface inside ws's socket callbacks and end the process.
  private deliver(event: ServerEvent): void {
    try {
      this.handler?.onEvent(event);
    } catch (err) {
      this.opts.log.error({ err, type: event.type }, 'REALTIME_HANDLER_THREW');
    }
  }

  private closed(info: { code: number; reason: string }): void {
    try {
      this.handler?.onClose(info);
    } catch (err) {
      this.opts.log.error({ err }, 'REALTIME_HANDLER_THREW');
    }
  }

  private bad(reason: string): void {
    this.badEvents += 1;
    // Logged once, then every 100th: a misbehaving server must not flood the logs.
    if (this.badEvents === 1 || this.badEvents % 100 === 0) {
      this.opts.log.warn({ reason, count: this.badEvents }, 'REALTIME_BAD_EVENT dropped');
    }
  }

  private startHeartbeat(): void {
    if (this.opts.heartbeatMs <= 0) return;
    this.heartbeat = setInterval(() => {
      const ws = this.ws;
      if (!ws || this._state !== 'open') return;
      if (this.awaitingPong) {
        this.opts.log.warn(
          { afterMs: this.opts.heartbeatMs },
          'REALTIME_STALLED: no pong; dropping the socket',
        );
        ws.terminate(); // 'close' follows and is reported as an unexpected close
        return;
      }
      this.awaitingPong = true;
      ws.ping();
    }, this.opts.heartbeatMs);
  }

  private shutdown(): void {
    if (this._state === 'closed') return;
    this._state = 'closed';
    this.stopTimers();
    this.ws?.terminate();
  }

  private stopTimers(): void {
    clearTimeout(this.connectTimer);
    clearInterval(this.heartbeat);
    this.connectTimer = undefined;
    this.heartbeat = undefined;
  }

  private finishConnect(result: ConnectResult): void {
    const settle = this.settle;
    this.settle = undefined;
    clearTimeout(this.connectTimer);
    settle?.(result);
  }
}

export function describeFailure(f: ConnectFailure): string {
  switch (f.kind) {
    case 'refused':
      return `refused with HTTP ${f.status}${f.detail ? `: ${f.detail.slice(0, 200)}` : ''}`;
    case 'timeout':
      return 'timed out';
    case 'aborted':
      return 'aborted';
    case 'network':
      return `network error: ${f.detail}`;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
