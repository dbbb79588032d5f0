// What the doctor's checks share for one run: the target, credentials, this run's CallSid and
// emulator, the budgets, and the facts earlier checks found (the TwiML, the Stream URL, the probes).
import type { StreamNoun, StreamProbe, TwilioEmulator, Verb } from '../../emulator/index.js';
import type { Target } from '../target.js';
import type { CheckResult } from './types.js';

export interface DoctorBudgets {
  /** A webhook slower than this is a warning (Twilio's guidance: answer fast). */
  webhookWarnMs: number;
  /** Twilio gives up on a webhook after this long (15 s) → 11205. Also each probe's limit. */
  webhookBudgetMs: number;
  /** How long the emulated call keeps its stream open before hanging up. */
  callMs: number;
}

export const DEFAULT_BUDGETS: DoctorBudgets = { webhookWarnMs: 2000, webhookBudgetMs: 15_000, callMs: 3000 };

/** The TwiML the signed incoming_call got, once it parsed. */
export interface FoundTwiml {
  url: string;
  xml: string;
  verbs: Verb[];
  connect?: { action?: string; method: 'GET' | 'POST'; stream: StreamNoun };
}

export interface ProbeRecord extends StreamProbe {
  /** Which URL was asked for (before any signing details). */
  asked: string;
}

export interface DoctorFacts {
  twiml?: FoundTwiml;
  /** The webhook refused Twilio's signature (403): later signature findings build on it. */
  webhookSignatureRejected?: boolean;
  /** The <Stream url> as Twilio resolves it (absolute), when it has one. */
  streamUrl?: string;
  /** Twilio would dial the Stream URL (wss, no query string, valid). */
  streamDialable?: boolean;
  /** The Stream URL made dialable (wss, no query string), when Twilio would refuse it as written. */
  correctedStreamUrl?: string;
  /** Probes of the exact Stream URL and its trailing-slash twin (check 5). */
  exactProbe?: ProbeRecord;
  twinProbe?: ProbeRecord;
}

export interface DoctorContext {
  target: Target;
  authToken: string;
  accountSid: string;
  callSid: string;
  emulator: TwilioEmulator;
  budgets: DoctorBudgets;
  facts: DoctorFacts;
  /** Results of the checks that already ran, in order. */
  done: CheckResult[];
  /** Probes each URL once per run (checks 3, 5 and 8 share them). */
  probe(url: string): Promise<ProbeRecord>;
}
