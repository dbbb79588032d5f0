// The emulated phones a <Dial> reaches: each target's script (CallerBehaviour.dial.agents, by number,
// `sip:` URI or `client:` identity), or the call-wide `dial.outcome` for numbers without one, turned
// into how long the phone rings and what happens then. Pure.
import type { DialTarget } from './twiml-parse.js';
import type { AgentBehaviour, AgentPhone, CallerBehaviour, DialLegOutcome } from './types.js';

export const AGENT_BEHAVIOURS: readonly AgentBehaviour[] = [
  'accept',
  'decline',
  'silent',
  'no-answer',
  'busy',
  'failed',
];

/** A phone picks up after a second unless scripted otherwise. */
const DEFAULT_ANSWER_AFTER_MS = 1000;
/** A busy signal comes back about half a second after dialling. */
const BUSY_AFTER_MS = 500;

export interface ResolvedPhone {
  behaviour: AgentBehaviour;
  answerAfterMs: number;
  durationSec: number;
  /** Pressed at every whisper <Gather>. */
  digits: string;
}

const DEFAULT_DIGITS: Record<AgentBehaviour, string> = {
  accept: '1',
  decline: '2',
  silent: '',
  'no-answer': '',
  busy: '',
  failed: '',
};

/** The script keys a target may be found under: the text as dialled, and `client:…` for a <Client>. */
function keysOf(target: DialTarget): string[] {
  const value = target.value.replace(/\s+/g, '');
  return target.kind === 'Client' && !value.startsWith('client:') ? [value, `client:${value}`] : [value];
}

export function phoneFor(dial: CallerBehaviour['dial'], target: DialTarget): ResolvedPhone {
  const scripts = dial?.agents ?? {};
  const found = keysOf(target)
    .map((k) => scripts[k])
    .find((s) => s !== undefined);
  const script: AgentPhone =
    typeof found === 'string'
      ? { behaviour: found }
      : (found ?? {
          behaviour: dial?.outcome === undefined || dial.outcome === 'completed' ? 'accept' : dial.outcome,
        });
  return {
    behaviour: script.behaviour,
    answerAfterMs: script.answerAfterMs ?? DEFAULT_ANSWER_AFTER_MS,
    durationSec: script.durationSec ?? dial?.durationSec ?? 1,
    digits: script.digits ?? DEFAULT_DIGITS[script.behaviour],
  };
}

/**
 * How the ringing ends: the phone answers after `ms`, or the attempt ends with `outcome` after
 * `ms` — a no-answer at the Dial's timeout (also for a phone scripted to pick up only after it).
 * Twilio adds about five seconds to every timeout; the emulator rings for the timeout exactly.
 */
export function ringing(
  phone: ResolvedPhone,
  timeoutMs: number,
): { answers: true; ms: number } | { answers: false; ms: number; outcome: DialLegOutcome } {
  switch (phone.behaviour) {
    case 'failed':
      return { answers: false, ms: 0, outcome: 'failed' };
    case 'busy':
      return { answers: false, ms: Math.min(BUSY_AFTER_MS, timeoutMs), outcome: 'busy' };
    case 'no-answer':
      return { answers: false, ms: timeoutMs, outcome: 'no-answer' };
    default:
      return phone.answerAfterMs < timeoutMs
        ? { answers: true, ms: phone.answerAfterMs }
        : { answers: false, ms: timeoutMs, outcome: 'no-answer' };
  }
}
