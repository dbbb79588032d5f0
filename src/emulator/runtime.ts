// What a TwiML verb handler may use of its call (internal): clock, timeline, violations, HTTP,
// interruption (hang-up or REST update) and the call's records. EmulatedCall implements it.
import type { CallHttp, Doc } from './call-http.js';
import type { TwilioCode } from './codes.js';
import type { MediaStream } from './media-stream.js';
import type { Method } from './twiml-parse.js';
import type {
  CallerBehaviour,
  CallStatus,
  DialRecord,
  EndedBy,
  RecordingRecord,
  StreamReport,
} from './types.js';

export type Interrupt =
  | { kind: 'hangup'; by: 'caller' | 'api' | 'time-limit' | 'emulator' }
  | { kind: 'update'; twiml?: string; url?: string; method: Method };

export type VerbOutcome =
  | { kind: 'next' }
  | { kind: 'goto'; doc: Doc }
  | { kind: 'end'; by: EndedBy; status?: CallStatus }
  | { kind: 'interrupted' };

export interface LiveStream {
  stream: MediaStream;
  report: StreamReport;
}

export interface CallRuntime {
  readonly accountSid: string;
  readonly callSid: string;
  readonly authToken: string;
  readonly speed: number;
  readonly caller: CallerBehaviour;
  readonly http: CallHttp;
  readonly streamConnectTimeoutMs: number;
  readonly map: Readonly<Record<string, string>>;
  readonly ca?: string | undefined;
  readonly dials: DialRecord[];
  readonly recordings: RecordingRecord[];
  readonly streams: StreamReport[];
  now(): number;
  event(kind: string, detail?: Record<string, unknown>): void;
  violate(code: TwilioCode, message: string, streamSid?: string): void;
  /** Standard request parameters with this CallStatus. */
  params(callStatus: string): Record<string, string>;
  /** The pending hang-up or update, if any. */
  interrupt(): Interrupt | undefined;
  /** Aborted when a hang-up or update arrives. */
  readonly signal: AbortSignal;
  /** The caller hangs up now (from inside a verb, e.g. at the end of a voicemail). */
  callerHangsUp(): void;
  /** Waits `callMs` of call time (scaled by speed); false if interrupted first. */
  sleep(callMs: number): Promise<boolean>;
  /** Resolves a URL from TwiML against the document (15004 for relative URLs in REST TwiML). */
  resolveUrl(raw: string, doc: Doc, what: string): string | undefined;
  /** Requests TwiML (an action or redirect) with the standard parameters plus `extra`. */
  fetchNext(
    purpose: 'action' | 'redirect',
    url: string,
    method: Method,
    extra: Record<string, string>,
    callStatus?: string,
  ): Promise<VerbOutcome>;
  /** Runs a request without holding up the TwiML (callbacks); the call waits for it before it ends. */
  background(work: Promise<unknown>): void;
  setLiveStream(live: LiveStream | undefined): void;
  /** Audio already fetched for <Play> in this call (Twilio caches media). */
  readonly playCache: Map<string, { ok: boolean; durationMs: number }>;
}
