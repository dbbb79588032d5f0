// One agent leg of a <Dial>: a child call (its own CallSid, Direction=outbound-dial, ParentCallSid)
// that rings an emulated phone and, once it answers, runs the <Number url> whisper TwiML on the
// agent's side — signed requests, <Say>/<Play>/<Gather>/<Hangup> — before it may be bridged.
import { sleepCallTime } from './call-time.js';
import type { Doc, DocResult } from './call-http.js';
import { ringing, type ResolvedPhone } from './agent-phones.js';
import { gather } from './gather.js';
import { newSid } from './ids.js';
import { standardParams } from './params.js';
import type { CallRuntime, VerbOutcome } from './runtime.js';
import type { DialTarget, Method, Verb } from './twiml-parse.js';
import type { DialLegRecord } from './types.js';
import { play, say } from './verbs.js';

export interface LegContext {
  /** The caller's (parent) call. */
  rt: CallRuntime;
  /** The document holding the <Dial>: whisper URLs resolve against it. */
  doc: Doc;
  timeoutMs: number;
  /** What the agent's phone shows: the Dial's callerId, else the caller's number. */
  from: string;
  /** The first leg to accept is bridged (true); the rest are hung up by the Dial. */
  claimBridge(leg: DialLeg): boolean;
}

/** How a whisper ended: its document ran out (bridge), it hung up, or the leg was cancelled. */
type WhisperEnd = 'accepted' | 'declined' | 'canceled';

export class DialLeg {
  readonly record: DialLegRecord;
  private readonly abort = new AbortController();
  private readonly legRt: CallRuntime;

  constructor(
    private readonly ctx: LegContext,
    private readonly target: DialTarget,
    private readonly phone: ResolvedPhone,
  ) {
    this.record = {
      callSid: newSid('CA'),
      kind: target.kind,
      number: target.value,
      behaviour: phone.behaviour,
      outcome: 'canceled',
      ringingAt: ctx.rt.now(),
      endedAt: ctx.rt.now(),
      digits: [],
      whisper: [],
      durationSec: 0,
    };
    this.legRt = this.runtime();
  }

  /** Hangs the leg up (another leg was bridged): it ends as canceled. */
  cancel(): void {
    this.abort.abort();
  }

  /** Rings, answers, whispers, and (if it wins) stays bridged until the agent or the caller hangs up. */
  async run(): Promise<void> {
    const parent = this.ctx.rt.signal;
    const onParentAbort = () => this.abort.abort();
    if (parent.aborted) this.abort.abort();
    else parent.addEventListener('abort', onParentAbort, { once: true });
    try {
      this.event('ringing', { behaviour: this.phone.behaviour });
      this.record.outcome = await this.life();
    } finally {
      parent.removeEventListener('abort', onParentAbort);
      this.record.endedAt = this.ctx.rt.now();
      // DialCallDuration is the child call's length: from its answer (whisper included) to its end.
      if (this.record.answeredAt !== undefined) {
        const callMs = (this.record.endedAt - this.record.answeredAt) * this.ctx.rt.speed;
        this.record.durationSec = Math.round(callMs / 1000);
      }
      this.event('leg-end', { outcome: this.record.outcome, durationSec: this.record.durationSec });
    }
  }

  private async life(): Promise<DialLegRecord['outcome']> {
    const ring = ringing(this.phone, this.ctx.timeoutMs);
    if (!(await this.sleep(ring.ms))) return 'canceled';
    if (!ring.answers) return ring.outcome;
    this.record.answeredAt = this.ctx.rt.now();
    this.event('answered');
    // Twilio runs the noun's url on the called party's leg after it answers and before the parties
    // are connected; <Hangup> there declines the call. Without a url the answer bridges at once.
    if (this.target.url) {
      const end = await this.whisper(this.target.url, this.target.method ?? 'POST');
      if (end !== 'accepted') return end;
    }
    // Another leg may have been bridged while this one whispered: the Dial hangs this one up.
    if (!this.ctx.claimBridge(this)) return 'canceled';
    this.event('bridged');
    await this.sleep(this.phone.durationSec * 1000);
    return 'bridged';
  }

  private async whisper(rawUrl: string, method: Method): Promise<WhisperEnd> {
    const url = this.ctx.rt.resolveUrl(rawUrl, this.ctx.doc, `<${this.target.kind} url>`);
    // A whisper Twilio cannot fetch plays "an application error has occurred" to the agent and
    // ends the child call: to the caller it is a leg that answered and hung up.
    if (!url) return 'declined';
    let next = await this.fetchWhisper(url, method, {});
    for (;;) {
      if (this.abort.signal.aborted) return 'canceled';
      if (next.kind !== 'goto') return 'declined';
      const outcome = await this.runWhisperDoc(next.doc);
      if (outcome.kind === 'interrupted' || this.abort.signal.aborted) return 'canceled';
      if (outcome.kind === 'next') return 'accepted';
      next = outcome;
    }
  }

  /** One whisper document: 'next' when it ran out (Twilio bridges), 'end' after <Hangup>. */
  private async runWhisperDoc(doc: Doc): Promise<VerbOutcome> {
    for (const verb of doc.verbs) {
      if (this.abort.signal.aborted) return { kind: 'interrupted' };
      const outcome = await this.runWhisperVerb(verb, doc);
      if (outcome.kind !== 'next') return outcome;
    }
    return { kind: 'next' };
  }

  private async runWhisperVerb(verb: Verb, doc: Doc): Promise<VerbOutcome> {
    switch (verb.verb) {
      case 'Say':
        return say(this.legRt, verb);
      case 'Play':
        return play(this.legRt, verb, doc);
      case 'Gather':
        return gather(this.legRt, verb, doc);
      case 'Hangup':
        this.event('hangup-verb');
        return { kind: 'end', by: 'twiml' };
      default: {
        // Twilio's <Number url> document supports <Play>, <Say>, <Gather> and <Hangup> only, and
        // never <Dial>; the emulator flags anything else and skips it.
        const name = verb.verb === 'Unsupported' ? verb.name : verb.verb;
        this.ctx.rt.violate(
          12200,
          `<${name}> is not allowed in a <${this.target.kind} url> document (only <Play>, <Say>, <Gather>, <Hangup>); skipped`,
        );
        return { kind: 'next' };
      }
    }
  }

  private event(kind: string, detail: Record<string, unknown> = {}): void {
    this.ctx.rt.event(`agent-${kind}`, {
      number: this.target.value,
      callSid: this.record.callSid,
      ...detail,
    });
  }

  private sleep(callMs: number): Promise<boolean> {
    return sleepCallTime(callMs, this.ctx.rt.speed, this.abort.signal);
  }

  /** The child call's request parameters (Twilio's standard set for an outbound-dial leg). */
  private params(callStatus: string): Record<string, string> {
    const to =
      this.target.kind === 'Client'
        ? `client:${this.target.value.replace(/^client:/, '')}`
        : this.target.value;
    const identity = {
      accountSid: this.ctx.rt.accountSid,
      callSid: this.record.callSid,
      from: this.ctx.from,
      to,
    };
    return {
      ...standardParams(identity, callStatus),
      Direction: 'outbound-dial',
      ParentCallSid: this.ctx.rt.callSid,
    };
  }

  /** Every whisper document is fetched signed, with the leg's own parameters. */
  private async fetchWhisper(
    url: string,
    method: Method,
    extra: Record<string, string>,
  ): Promise<VerbOutcome> {
    const result: DocResult = await this.ctx.rt.http.fetchDocument('whisper', url, method, {
      ...this.params('in-progress'),
      ...extra,
    });
    if (!result.ok) return { kind: 'end', by: 'error' };
    if (result.doc.url) this.record.whisper.push({ url: result.doc.url, xml: result.doc.xml ?? '' });
    return { kind: 'goto', doc: result.doc };
  }

  /** The verbs' view of the agent's leg: its own clock-sharing, interruptible call. */
  private runtime(): CallRuntime {
    const { rt } = this.ctx;
    const signal = this.abort.signal;
    return {
      accountSid: rt.accountSid,
      callSid: this.record.callSid,
      authToken: rt.authToken,
      speed: rt.speed,
      caller: { gather: { digits: this.phone.digits }, silence: false },
      http: rt.http,
      streamConnectTimeoutMs: rt.streamConnectTimeoutMs,
      map: rt.map,
      ca: rt.ca,
      dials: [],
      recordings: [],
      streams: [],
      playCache: rt.playCache,
      now: () => rt.now(),
      event: (kind, detail = {}) => {
        if (kind === 'gather-keys') this.record.digits.push(String(detail.keys));
        this.event(kind, detail);
      },
      violate: (code, message) => rt.violate(code, message),
      params: (status) => this.params(status),
      interrupt: () => (signal.aborted ? (rt.interrupt() ?? { kind: 'hangup', by: 'emulator' }) : undefined),
      signal,
      callerHangsUp: () => this.abort.abort(),
      sleep: (ms) => this.sleep(ms),
      resolveUrl: (raw, doc, what) => rt.resolveUrl(raw, doc, what),
      fetchNext: (_purpose, url, method, extra) => this.fetchWhisper(url, method, extra),
      background: (work) => rt.background(work),
      setLiveStream: () => undefined,
    };
  }
}
