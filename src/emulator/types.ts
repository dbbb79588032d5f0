// The emulator's public vocabulary: options for the emulator and for one call, and what a call
// reports (timeline, violations, HTTP exchanges, streams, dials, recordings).
import type { CallStatus as TwilioCallStatus } from '../twilio/call-status.js';
import type { TwilioCode, Severity } from './codes.js';
import type { CallerAudio, LiveCaller } from './media-source.js';
import type { MarkReason } from './playback.js';
import type { NetworkMap } from './network.js';

export interface EmulatorOptions {
  authToken: string;
  /** AC + 32 hex. */
  accountSid: string;
  /** Public origin → origin actually dialled (see network.ts). */
  networkMap?: NetworkMap;
  /** PEM of a CA to trust besides the system's (a test's own CA behind its TLS proxy). */
  ca?: string | undefined;
  /** Call-time speed: 1 is real time; 10 plays audio, pauses and recordings ten times faster. */
  speed?: number;
  /** Twilio's total budget for one HTTP request (15 s). */
  webhookTimeoutMs?: number;
  /** Twilio's TCP connect budget (10 s). */
  connectTimeoutMs?: number;
  /** Budget for the stream's WebSocket upgrade (Twilio does not document one; 10 s). */
  streamConnectTimeoutMs?: number;
}

/** The statuses an emulated call passes through (it is placed ringing, never queued). */
export type CallStatus = Exclude<TwilioCallStatus, 'queued' | 'initiated'>;
export type StatusEvent = 'initiated' | 'ringing' | 'answered' | 'completed';
export type DialOutcome = Extract<TwilioCallStatus, 'completed' | 'busy' | 'no-answer' | 'failed'>;
/**
 * The DialCallStatus Twilio posts to a <Dial action>. Twilio's sixth value, `answered`, is for
 * <Conference>, which the emulator does not dial.
 */
export type DialCallStatus = DialOutcome | 'canceled';

/**
 * What an emulated phone reached by <Dial> does: `accept` answers and presses 1 at the whisper's
 * <Gather>, `decline` answers and presses 2, `silent` answers and presses nothing, `no-answer` rings
 * until the Dial's timeout, `busy` and `failed` end the attempt at once.
 */
export type AgentBehaviour = 'accept' | 'decline' | 'silent' | 'no-answer' | 'busy' | 'failed';

/** One emulated agent phone, scripted per number (or `sip:…`, `client:…`) in `CallerBehaviour.dial.agents`. */
export interface AgentPhone {
  behaviour: AgentBehaviour;
  /** Rings this long (call time) before it answers; at or past the Dial's timeout it is a no-answer. Default 1000. */
  answerAfterMs?: number;
  /** Once bridged, the agent talks this long (call time) and hangs up. Default `dial.durationSec`, else 1. */
  durationSec?: number;
  /** The keys pressed at every whisper <Gather> (default 1 for accept, 2 for decline, none for silent). */
  digits?: string;
}

/** What the emulated caller (and the far end of a <Dial>) does. */
export interface CallerBehaviour {
  /** Spoken once the stream has started: raw μ-law/8000 bytes or a WAV file (path or bytes). */
  audio?: CallerAudio;
  /** Send μ-law silence whenever there is nothing to say, as a live line does. Default true. */
  silence?: boolean;
  /** A live line: frames taken from it every 20 ms (silence when it has none), heard audio handed to it. */
  live?: LiveCaller;
  /** Hang up once `audio` has been sent (plus this many call-time ms). */
  hangUpAfterAudioMs?: number;
  /** Hang up this many wall-clock ms after the call is answered. */
  hangUpAfterMs?: number;
  /** At a <Record>: talk for durationSec (call time), then end by hanging up (default), by silence or a key. */
  record?: { durationSec?: number; end?: 'hangup' | 'silence' | 'key'; key?: string };
  /** At a <Gather> on the caller's leg: the keys the caller presses (none by default). */
  gather?: { digits?: string };
  /**
   * At a <Dial>: `agents` scripts each number's phone; a number without a script answers as
   * `outcome` says (completed = accept). A bridged leg lasts durationSec (call time).
   */
  dial?: {
    outcome?: DialOutcome;
    durationSec?: number;
    agents?: Record<string, AgentBehaviour | AgentPhone>;
  };
}

export interface PlaceCallOptions {
  /** The public URL the phone number's "A call comes in" webhook points at. */
  webhookUrl: string;
  webhookMethod?: 'GET' | 'POST';
  /** The number's fallback URL, requested when the webhook fails (with ErrorCode and ErrorUrl). */
  fallbackUrl?: string;
  /** The number's status callback. */
  statusCallbackUrl?: string;
  statusCallbackMethod?: 'GET' | 'POST';
  /** Which progress events reach the status callback; Twilio's default is completed only. */
  statusCallbackEvents?: StatusEvent[];
  from?: string;
  to?: string;
  callSid?: string;
  /** Extra form parameters sent with the incoming-call webhook. */
  extraParams?: Record<string, string>;
  caller?: CallerBehaviour;
  /** Overrides the emulator's speed for this call. */
  speed?: number;
  /** Twilio's call time limit (4 h by default), in wall-clock ms. */
  timeLimitMs?: number;
  /** Each timeline event as it is recorded (a live view of the call; must not throw). */
  onEvent?: (event: TimelineEvent) => void;
}

export interface Violation {
  code: TwilioCode;
  severity: Severity;
  message: string;
  /** Milliseconds since the call was placed. */
  at: number;
  streamSid?: string;
}

export interface TimelineEvent {
  /** Milliseconds since the call was placed. */
  t: number;
  kind: string;
  detail: Record<string, unknown>;
}

export type RequestPurpose =
  | 'webhook'
  | 'fallback'
  | 'action'
  | 'redirect'
  | 'whisper'
  | 'rest-url'
  | 'play'
  | 'status-callback'
  | 'stream-status'
  | 'recording-status';

export interface HttpExchange {
  purpose: RequestPurpose;
  method: 'GET' | 'POST';
  /** The public URL requested and signed (a GET includes its parameters). */
  url: string;
  /** Where the emulator really connected. */
  dialled: string;
  params: Record<string, string>;
  /** When the answer (or failure) came, ms since the call was placed. */
  t: number;
  ms: number;
  status?: number;
  contentType?: string;
  bytes?: number;
  /** The body for TwiML answers (text), absent for audio. */
  body?: string;
  location?: string;
  /** The Twilio error this exchange caused, if any. */
  error?: { code: TwilioCode; message: string };
}

/** What one stream sent and received, Twilio's side. */
export interface StreamCounters {
  framesSent: number;
  audioBytesSent: number;
  dtmfSent: number;
  mediaReceived: number;
  audioBytesReceived: number;
  marksReceived: number;
  marksEchoed: { name: string; reason: MarkReason; t: number }[];
  clears: number;
  /** Frames from the server the emulator could not parse or did not expect. */
  badFrames: number;
}

export interface StreamReport extends StreamCounters {
  streamSid: string;
  /** The <Stream url> resolved, as signed. */
  url: string;
  dialled?: string;
  customParameters: Record<string, string>;
  /** Dialled as ws:// because the loopback server has no TLS (the emulator's choice, not a 31922). */
  downgraded: boolean;
  handshakeMs?: number;
  failure?: { code: TwilioCode; message: string; status?: number; location?: string };
  endedBy?: 'caller' | 'api-hangup' | 'api-update' | 'server' | 'network' | 'time-limit' | 'emulator';
  closeCode?: number;
  /** What the caller heard from the server on this stream (μ-law/8000). */
  played: Buffer;
}

/** How one leg of a <Dial> ended: `declined` = answered, but the whisper TwiML hung up. */
export type DialLegOutcome = 'bridged' | 'declined' | 'no-answer' | 'busy' | 'failed' | 'canceled';

/** One agent leg of a <Dial>: a child call with its own CallSid. */
export interface DialLegRecord {
  callSid: string;
  /** The noun dialled: Number, Sip or Client. */
  kind: string;
  number: string;
  behaviour: AgentBehaviour;
  outcome: DialLegOutcome;
  /** Milliseconds since the call was placed. */
  ringingAt: number;
  answeredAt?: number;
  endedAt: number;
  /** The keys the agent pressed at each whisper <Gather>. */
  digits: string[];
  /** The TwiML run on the agent's leg: the <Number url> document, then Gather actions and redirects. */
  whisper: { url: string; xml: string }[];
  /** The child call's length once answered (call-time seconds). */
  durationSec: number;
}

export interface DialRecord {
  targets: { kind: string; value: string }[];
  callerId?: string;
  timeoutSec: number;
  answerOnBridge: boolean;
  sequential: boolean;
  /** The DialCallStatus sent (or that would be sent) to the action. */
  outcome: DialCallStatus;
  /** DialBridged: the caller was connected to one of the legs. */
  bridged: boolean;
  dialCallSid: string;
  durationSec: number;
  legs: DialLegRecord[];
}

export interface RecordingRecord {
  recordingSid: string;
  recordingUrl: string;
  durationSec: number;
  digits?: string;
}

export type EndedBy = 'caller' | 'api' | 'twiml' | 'error' | 'time-limit' | 'emulator';

export interface CallResult {
  callSid: string;
  from: string;
  to: string;
  status: CallStatus;
  endedBy: EndedBy;
  /** Wall-clock ms from placing the call to its end. */
  durationMs: number;
  /** Everything Twilio would have flagged (errors, warnings, notices such as 31921). */
  violations: Violation[];
  /** violations with severity error or warning is empty. */
  ok: boolean;
  timeline: TimelineEvent[];
  requests: HttpExchange[];
  /** Every TwiML document executed, with the URL it came from (none for REST-supplied TwiML). */
  documents: { url?: string; xml: string }[];
  streams: StreamReport[];
  dials: DialRecord[];
  recordings: RecordingRecord[];
  /** All audio the caller heard on every stream, in order (μ-law/8000). */
  playedAudio: Buffer;
}

export interface StatusCallbackArgs {
  status: TwilioCallStatus;
  /** Defaults to the call's next sequence number. */
  sequenceNumber?: number;
  /** Defaults to the call's statusCallbackUrl. */
  url?: string;
  extra?: Record<string, string>;
}
