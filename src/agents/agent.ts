// The VoiceAgent interface: the brain behind one call. The CallSession owns the Twilio socket and
// hands the agent caller audio and keys; the agent answers through CallControl, never the socket.
import type { BlobStore } from '../blobs/blob-store.js';
import type { Logger } from 'pino';
import type { RingRoute, Router } from '../routing/router.js';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';

export interface CallInfo {
  callSid: string;
  streamSid: string;
  accountSid: string;
  from: string | null;
  to: string | null;
  /** The <Parameter>s of the Stream (minus the secret token and the handover's own). */
  customParameters: Readonly<Record<string, string>>;
  /** Set when a draining instance handed the call over: the agent picks up where it was. */
  resume?: ResumeState;
}

/** What a handed-over call resumes with (signed into the new stream's token, see call/handover.ts). */
export interface ResumeState {
  /** The agent kind that had the call (AgentFactory.name). */
  agent: string;
  /** The flow agent's step when the call moved. */
  step?: string;
}

/** One 20 ms (usually) frame of caller audio: μ-law 8 kHz mono. */
export interface CallerFrame {
  /** Base64 exactly as Twilio sent it; pass it through to avoid a decode/encode on the hot path. */
  readonly payload: string;
  /** Milliseconds since the stream started, from Twilio's media.timestamp. */
  readonly timestampMs: number;
  /** Decoded bytes (decoded on first use, then cached). */
  bytes(): Buffer;
}

/**
 * Where an agent hands its caller: the people of a route (rung group by group through Twilio's
 * REST API, with a whisper naming `topic`), or voicemail, with `prompt` said before the beep
 * (null: nothing, the agent already told the caller why).
 */
export type Handoff =
  | { kind: 'ring'; route: RingRoute; topic?: string }
  | { kind: 'voicemail'; reason: string; prompt: string | null };

/** What an agent may do to its live call. Implemented by CallSession. */
export interface CallControl {
  readonly log: Logger;
  /**
   * Queues μ-law 8 kHz audio for the caller (raw bytes or base64). The session sends it in order,
   * chunked, with marks so playback is tracked to the millisecond.
   */
  play(audio: Buffer | { base64: string }): void;
  /**
   * Barge-in: drops everything queued and tells Twilio to `clear`; marks of earlier audio become
   * stale. Returns how many ms of the interrupted audio the caller had heard (by acked marks).
   */
  interrupt(): { heardMs: number };
  /** Ms of agent audio the caller has heard since the last interrupt (acknowledged marks). */
  heardMs(): number;
  /** Ms of agent audio sent to Twilio and not yet acknowledged as played. */
  pendingMs(): number;
  /** Resolves when all audio queued so far has been played or cleared. */
  whenPlayed(): Promise<void>;
  /**
   * Ends the call through Twilio's REST API (never by closing the socket). The call's outcome is
   * `hangup: <reason>` unless `outcome` names it (e.g. `idle-hangup`).
   */
  hangUp(reason: string, outcome?: string): Promise<void>;
  transfer(target: Handoff): Promise<void>;
  /** Closes the stream so Twilio runs <Connect action> and the caller reaches voicemail. */
  toVoicemail(reason: string): void;
}

export interface VoiceAgent {
  /** Called once, after the stream's token and start frame were accepted. */
  start(call: CallInfo, control: CallControl): Promise<void>;
  /** Caller audio; called for every media frame, so it must not block or allocate needlessly. */
  onAudio(frame: CallerFrame): void;
  onDtmf(digit: string): void;
  /** The call or stream ended: release every timer, socket and task. Must not throw. */
  close(reason: string): Promise<void>;
  /** Where the call is now, for another instance to resume it (a drain's handover). */
  resumeState?(): ResumeState;
}

export type AgentHealth = 'ok' | 'disabled' | 'error';

export interface AgentFactory {
  readonly name: string;
  health(): AgentHealth;
  /**
   * Called from the incoming_call webhook before the TwiML is answered; must return at once.
   * Agents with slow connections start them here so the stream does not wait.
   */
  prewarm?(call: { callSid: string; from: string | null; to: string | null }): void;
  create(call: CallInfo): VoiceAgent;
  /** The call is over (status callback): drop anything still pre-warmed for it. */
  release?(callSid: string): void;
  /** Releases pre-warmed resources at shutdown. */
  close?(): Promise<void>;
  /** Entries in the factory's per-call tables, by name (a gauge in /metrics; the soak watches it). */
  stateSizes?(): Record<string, number>;
}

/**
 * The store as agents use it, and no more: answer clips and leads (flow), the caller's history,
 * leads, transcript and summary (realtime), timeline events (both). A new need is a line here,
 * in plain sight.
 */
export type AgentStore = Pick<
  Store,
  | 'getCall'
  | 'upsertRecording'
  | 'saveLead'
  | 'getLeadForCall'
  | 'getContactByPhone'
  | 'upsertContact'
  | 'listCallsForContact'
  | 'listLeadsForContact'
  | 'addTranscriptTurn'
  | 'listTranscript'
  | 'setCallSummary'
  | 'addCallEvent'
>;

/** What an agent factory is built from, by the composition root. */
export interface AgentDeps {
  config: Config;
  log: Logger;
  store: AgentStore;
  router: Router;
  /** Where answer clips go so every instance can serve them; absent: the row keeps the local path. */
  blobs?: BlobStore;
}
