// What one RealtimeAgent is built from: its timing bounds (with defaults) and its dependencies.
import type { Logger } from 'pino';
import type { AgentStore } from '../agent.js';
import type { Router } from '../../routing/router.js';
import type { SessionSettings } from './client-events.js';
import type { UpstreamOptions } from './upstream.js';

export interface RealtimeTimings {
  connectTimeoutMs: number;
  /** Ping interval on the upstream socket; a missed pong drops it (then reconnect). */
  heartbeatMs: number;
  /** A response due and not one event from the provider for this long: the session is lost. */
  responseStallMs: number;
  /** Caller audio kept while the upstream is not ready (oldest dropped beyond, with a warning). */
  maxQueuedAudioMs: number;
  /** Reconnects after the provider closes mid-call. */
  reconnectAttempts: number;
  /** Wait for the next key before a keypad entry ends. */
  keypadTimeoutMs: number;
  /** Bound on the goodbye (or transfer announcement) before hanging up / transferring anyway. */
  endCallTimeoutMs: number;
  /** Ask the model to wrap up after this long (OpenAI ends sessions at 60 min). */
  wrapUpAfterMs: number;
  /** Hang up regardless after this long. */
  hardStopAfterMs: number;
  summaryTimeoutMs: number;
  /** Bound on waiting for the apology to play before voicemail. */
  apologyTimeoutMs: number;
  /** Caller silence, from the end of the agent's audio as Twilio's marks report it, before a check-in. */
  idleRepromptMs: number;
  /** Check-ins before the goodbye and the hang-up. */
  idleMaxReprompts: number;
  /** Bound on the returning-caller lookup that puts a first name in the instructions. */
  callerLookupTimeoutMs: number;
}

export const DEFAULT_TIMINGS: RealtimeTimings = {
  connectTimeoutMs: 5_000,
  heartbeatMs: 15_000,
  responseStallMs: 8_000,
  maxQueuedAudioMs: 10_000,
  reconnectAttempts: 1,
  keypadTimeoutMs: 15_000,
  endCallTimeoutMs: 15_000,
  wrapUpAfterMs: 55 * 60_000,
  hardStopAfterMs: 58 * 60_000,
  summaryTimeoutMs: 10_000,
  apologyTimeoutMs: 10_000,
  idleRepromptMs: 8_000,
  idleMaxReprompts: 2,
  callerLookupTimeoutMs: 1_000,
};

export interface SettingsRequest {
  callSid: string;
  from: string | null;
  resumeBriefing?: string;
}

export interface RealtimeAgentDeps {
  upstream: UpstreamOptions;
  /** Session settings for this call; `resumeBriefing` is set when reconnecting. */
  settings: (call: SettingsRequest) => SessionSettings | Promise<SessionSettings>;
  store: AgentStore;
  router: Router;
  log: Logger;
  timings: RealtimeTimings;
  apologyAudio: Buffer | undefined;
  summary: boolean;
  speakFirst: boolean;
  now: () => Date;
  /** The call was handed over mid-conversation: the first session is a resumed one. */
  resuming?: boolean;
}

/** Waits for `p` at most `ms` (then undefined); the timer is always cleared. */
export async function bounded<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
