// One emulated inbound call, from the signed webhook to the final status callback: runs the TwiML
// loop, owns its timers, live stream and pending callbacks, and is steered by the caller (hangUp,
// sendAudio, sendDtmf) or by the REST API (update). `done` always resolves, never rejects.
import { CallHttp, type Doc } from './call-http.js';
import { CallLog } from './call-log.js';
import { resolveTwimlUrl, sleepCallTime } from './call-time.js';
import { CallWebhooks } from './call-webhooks.js';
import type { TwilioCode } from './codes.js';
import { executeDocument } from './execute.js';
import { loadCallerAudio, type CallerAudio } from './media-source.js';
import type { NetworkMap } from './network.js';
import type { CallRuntime, Interrupt, LiveStream } from './runtime.js';
import type { Method } from './twiml-parse.js';
import type {
  CallResult,
  CallStatus,
  DialRecord,
  EndedBy,
  HttpExchange,
  PlaceCallOptions,
  RecordingRecord,
  StatusCallbackArgs,
  StreamReport,
  TimelineEvent,
} from './types.js';

export interface CallEnv {
  authToken: string;
  accountSid: string;
  map: NetworkMap;
  /** PEM of a CA to trust besides the system's (a test's own CA behind its TLS proxy). */
  ca?: string | undefined;
  speed: number;
  webhookTimeoutMs: number;
  connectTimeoutMs: number;
  streamConnectTimeoutMs: number;
}

/** Twilio's default call time limit: 4 hours. */
const DEFAULT_TIME_LIMIT_MS = 4 * 3600 * 1000;

export class EmulatedCall {
  readonly callSid: string;
  readonly from: string;
  readonly to: string;
  readonly done: Promise<CallResult>;
  readonly requests: HttpExchange[] = [];
  readonly documents: { url?: string; xml: string }[] = [];
  readonly streams: StreamReport[] = [];
  readonly dials: DialRecord[] = [];
  readonly recordings: RecordingRecord[] = [];
  /** Wall-clock start and (once ended) end, for the REST resource. */
  readonly startTime = new Date();
  endTime: Date | undefined;

  private statusValue: CallStatus = 'ringing';
  private readonly started = performance.now();
  private readonly speed: number;
  private readonly http: CallHttp;
  private readonly webhooks: CallWebhooks;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: CallLog;
  private readonly playCache = new Map<string, { ok: boolean; durationMs: number }>();
  private interruptValue: Interrupt | undefined;
  private abort = new AbortController();
  private live: LiveStream | undefined;
  private finished = false;
  private finishing = false;
  private resolveDone!: (result: CallResult) => void;
  private readonly rt: CallRuntime;

  constructor(
    private readonly env: CallEnv,
    private readonly opts: PlaceCallOptions,
  ) {
    this.callSid = opts.callSid ?? `CA${cryptoHex()}`;
    this.from = opts.from ?? '+972501234567';
    this.to = opts.to ?? '+97233760000';
    this.speed = opts.speed ?? env.speed;
    this.log = new CallLog(() => this.now(), opts.onEvent);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.http = new CallHttp(
      {
        authToken: env.authToken,
        map: env.map,
        ca: env.ca,
        timeoutMs: env.webhookTimeoutMs,
        connectTimeoutMs: env.connectTimeoutMs,
      },
      {
        clock: () => this.now(),
        record: (exchange) => {
          this.requests.push(exchange);
          this.event(exchange.purpose, {
            url: exchange.url,
            status: exchange.status,
            ms: exchange.ms,
            ...(exchange.error ? { code: exchange.error.code } : {}),
          });
        },
        document: (url, xml) => this.documents.push({ ...(url ? { url } : {}), xml }),
        violate: (code, message) => this.violate(code, message),
      },
    );
    const identity = { accountSid: env.accountSid, callSid: this.callSid, from: this.from, to: this.to };
    this.webhooks = new CallWebhooks(this.http, opts, identity, this.startTime);
    this.rt = this.runtime();
  }

  get status(): CallStatus {
    return this.statusValue;
  }

  /** The streamSid of the stream that is open now, if any. */
  get streamSid(): string | undefined {
    return this.live?.stream.streamSid;
  }

  /** Starts the call (the emulator calls this once). */
  start(): void {
    const limit = this.opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
    this.timer(() => this.interruptWith({ kind: 'hangup', by: 'time-limit' }), limit);
    this.run().catch((err: unknown) => {
      // A bug in the emulator must still end the call and resolve `done`.
      this.event('emulator-error', { message: (err as Error).message });
      return this.finish('completed', 'error');
    });
  }

  // ---- the caller's controls -------------------------------------------------------------------

  /** The caller hangs up. Resolves with the call's result once everything has been posted. */
  hangUp(): Promise<CallResult> {
    this.interruptWith({ kind: 'hangup', by: 'caller' });
    return this.done;
  }

  /** Speaks into the open stream at the call's pace; resolves when the last frame is sent. */
  async sendAudio(audio: CallerAudio): Promise<void> {
    const bytes = await loadCallerAudio(audio);
    const live = this.live;
    if (!live) throw new Error('no open media stream on this call');
    await live.stream.sendAudio(bytes);
  }

  /** Presses keys on the open stream; returns how many dtmf messages were sent. */
  sendDtmf(digits: string): number {
    if (!/^[0-9*#A-D]*$/.test(digits)) throw new Error(`not DTMF digits: ${JSON.stringify(digits)}`);
    let sent = 0;
    for (const digit of digits) if (this.live?.stream.sendDtmf(digit)) sent += 1;
    return sent;
  }

  /** Everything the caller has heard so far from the server, over all streams. */
  playedAudio(): Buffer {
    const finished = this.streams.filter((s) => s !== this.live?.report).map((s) => s.played);
    return Buffer.concat(this.live ? [...finished, this.live.stream.played()] : finished);
  }

  /**
   * Resolves with the first timeline event of `kind` (already recorded or still to come) that
   * matches; rejects after `timeoutMs` (default 10 s) or when the call ends without one.
   */
  waitFor(
    kind: string,
    options: { timeoutMs?: number; match?: (e: TimelineEvent) => boolean } = {},
  ): Promise<TimelineEvent> {
    return this.log.waitFor(kind, options, `call ${this.callSid}`);
  }

  /** The call's timeline so far (the live array). */
  get timeline(): readonly TimelineEvent[] {
    return this.log.timeline;
  }

  /** What Twilio would have flagged so far (the live array). */
  get violations(): CallResult['violations'] {
    return this.log.violations;
  }

  /** Posts a call status callback now (any status, any sequence number) — for tests of ordering. */
  sendStatusCallback(args: StatusCallbackArgs): Promise<HttpExchange> {
    return this.webhooks.sendStatusCallback(args);
  }

  // ---- the REST API's controls -----------------------------------------------------------------

  /** Applies a REST update (Status=completed, Twiml or Url). Returns false if the call has ended. */
  applyUpdate(update: {
    status?: 'completed' | 'canceled';
    twiml?: string;
    url?: string;
    method?: Method;
  }): boolean {
    if (this.finished) return false;
    this.event('rest-update', {
      ...(update.status ? { status: update.status } : {}),
      ...(update.twiml ? { twiml: update.twiml } : {}),
      ...(update.url ? { url: update.url } : {}),
    });
    if (update.status) this.interruptWith({ kind: 'hangup', by: 'api' });
    else
      this.interruptWith({
        kind: 'update',
        twiml: update.twiml,
        url: update.url,
        method: update.method ?? 'POST',
      });
    return true;
  }

  /** Ends the call from the emulator's side (e.g. on emulator.close()). */
  terminate(): Promise<CallResult> {
    this.interruptWith({ kind: 'hangup', by: 'emulator' });
    return this.done;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  // ---- internals -------------------------------------------------------------------------------

  private now(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }

  private event(kind: string, detail: Record<string, unknown> = {}): void {
    this.log.event(kind, detail);
  }

  private violate(code: TwilioCode, message: string, streamSid?: string): void {
    this.log.violate(code, message, streamSid);
  }

  private timer(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private interruptWith(next: Interrupt): void {
    if (this.finished) return;
    // A hang-up outranks an update; a second update replaces the first.
    if (this.interruptValue?.kind === 'hangup') return;
    this.interruptValue = next;
    this.abort.abort();
  }

  private resolveUrl(raw: string, doc: Doc, what: string): string | undefined {
    const resolved = resolveTwimlUrl(raw, doc.url, what);
    if (resolved.ok) return resolved.url;
    this.violate(resolved.code, resolved.message);
    return undefined;
  }

  private runtime(): CallRuntime {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below must see the current controller
    const call = this;
    return {
      accountSid: this.env.accountSid,
      callSid: this.callSid,
      authToken: this.env.authToken,
      speed: this.speed,
      caller: this.opts.caller ?? {},
      http: this.http,
      streamConnectTimeoutMs: this.env.streamConnectTimeoutMs,
      map: this.env.map,
      ca: this.env.ca,
      dials: this.dials,
      recordings: this.recordings,
      streams: this.streams,
      playCache: this.playCache,
      now: () => this.now(),
      event: (kind, detail) => this.event(kind, detail),
      violate: (code, message, streamSid) => this.violate(code, message, streamSid),
      params: (status) => this.webhooks.params(status),
      interrupt: () => this.interruptValue,
      get signal() {
        return call.abort.signal;
      },
      callerHangsUp: () => this.interruptWith({ kind: 'hangup', by: 'caller' }),
      sleep: (ms) => sleepCallTime(ms, this.speed, this.abort.signal),
      resolveUrl: (raw, doc, what) => this.resolveUrl(raw, doc, what),
      fetchNext: (purpose, url, method, extra, status) =>
        this.webhooks.fetchNext(purpose, url, method, extra, status),
      background: (work) => this.track(work),
      setLiveStream: (live) => (this.live = live),
    } satisfies CallRuntime;
  }

  private track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.event('emulator-error', { message: (err as Error).message }));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async run(): Promise<void> {
    await this.webhooks.progress('initiated', 'initiated');
    await this.webhooks.progress('ringing', 'ringing');
    const first = await this.webhooks.firstDocument();
    if (!first.ok) {
      // The caller hears "An application error has occurred" and Twilio hangs up.
      this.event('application-error', { code: first.code });
      return this.finish('completed', 'error');
    }
    this.statusValue = 'in-progress';
    this.event('answered');
    if (this.opts.caller?.hangUpAfterMs !== undefined) {
      this.timer(() => this.interruptWith({ kind: 'hangup', by: 'caller' }), this.opts.caller.hangUpAfterMs);
    }
    await this.webhooks.progress('answered', 'in-progress');

    let doc: Doc | undefined = first.doc;
    while (doc) {
      const outcome = await executeDocument(this.rt, doc);
      const intr = this.interruptValue;
      if (intr?.kind === 'hangup') {
        return this.finish(
          'completed',
          intr.by === 'api' ? 'api' : intr.by === 'caller' ? 'caller' : intr.by,
        );
      }
      if (intr?.kind === 'update') {
        this.interruptValue = undefined;
        this.abort = new AbortController();
        const next = await this.webhooks.updateDocument(intr);
        if (!next.ok) return this.finish('completed', 'error');
        doc = next.doc;
        continue;
      }
      if (outcome.kind === 'goto') doc = outcome.doc;
      else if (outcome.kind === 'end') return this.finish(outcome.status ?? 'completed', outcome.by);
      else doc = undefined;
    }
    return this.finish('completed', 'twiml');
  }

  private async finish(status: CallStatus, endedBy: EndedBy): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    // Wake anything still waiting on call time (the caller's script), let the stream and recording
    // callbacks in flight land, then send the final status callback.
    this.abort.abort();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    this.statusValue = status;
    this.endTime = new Date();
    this.event('call-ended', { status, endedBy });
    await this.webhooks.progress('completed', status).catch(() => undefined);
    this.finished = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.log.close();
    this.resolveDone(this.result(endedBy));
  }

  private result(endedBy: EndedBy): CallResult {
    return {
      callSid: this.callSid,
      from: this.from,
      to: this.to,
      status: this.statusValue,
      endedBy,
      durationMs: Math.round(performance.now() - this.started),
      violations: [...this.violations],
      ok: !this.violations.some((v) => v.severity !== 'notice'),
      timeline: [...this.timeline],
      requests: [...this.requests],
      documents: [...this.documents],
      streams: this.streams.map((s) => ({ ...s })),
      dials: [...this.dials],
      recordings: [...this.recordings],
      playedAudio: this.playedAudio(),
    };
  }
}

function cryptoHex(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '');
}
