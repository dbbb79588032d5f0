// <Gather> for DTMF, on the caller's leg or an agent's whisper leg: the nested prompts play, the
// person's scripted keys (CallRuntime.caller.gather) are collected as Twilio does (numDigits,
// finishOnKey, timeout), then the action gets Digits; with no input the next verb runs.
import type { Doc } from './call-http.js';
import type { CallRuntime, VerbOutcome } from './runtime.js';
import type { Verb } from './twiml-parse.js';
import { pause, play, say } from './verbs.js';

type GatherVerb = Extract<Verb, { verb: 'Gather' }>;

/** The keys Twilio keeps: up to numDigits, stopping at finishOnKey (which is not part of Digits). */
export function collectDigits(
  keys: string,
  verb: Pick<GatherVerb, 'numDigits' | 'finishOnKey'>,
): { digits: string; complete: boolean } {
  let digits = '';
  for (const key of keys) {
    if (verb.finishOnKey !== '' && key === verb.finishOnKey) return { digits, complete: true };
    digits += key;
    if (verb.numDigits !== undefined && digits.length >= verb.numDigits) return { digits, complete: true };
  }
  return { digits, complete: false };
}

export async function gather(rt: CallRuntime, verb: GatherVerb, doc: Doc): Promise<VerbOutcome> {
  rt.event('gather', {
    numDigits: verb.numDigits,
    timeoutSec: verb.timeoutSec,
    finishOnKey: verb.finishOnKey,
    prompts: verb.prompts.length,
  });
  // The emulated person listens to the whole prompt, then presses their keys.
  for (const prompt of verb.prompts) {
    const outcome =
      prompt.verb === 'Say'
        ? await say(rt, prompt)
        : prompt.verb === 'Play'
          ? await play(rt, prompt, doc)
          : await pause(rt, prompt);
    if (outcome.kind !== 'next') return outcome;
  }
  const keys = rt.caller.gather?.digits ?? '';
  const { digits, complete } = collectDigits(keys, verb);
  if (keys) rt.event('gather-keys', { keys, digits });
  // Twilio waits `timeout` seconds after the last key unless numDigits or finishOnKey ended it.
  if (!complete && !(await rt.sleep(verb.timeoutSec * 1000))) return { kind: 'interrupted' };
  if (digits === '' && !verb.actionOnEmptyResult) {
    rt.event('gather-end', { input: false });
    return { kind: 'next' };
  }
  // Without an action Twilio requests the current document again; REST TwiML has no URL (11100).
  const rawAction = verb.action ?? doc.url;
  if (!rawAction) {
    rt.violate(11100, '<Gather> in TwiML from the REST API needs an absolute action URL');
    return { kind: 'end', by: 'error' };
  }
  const action = rt.resolveUrl(rawAction, doc, '<Gather action>');
  if (!action) return { kind: 'end', by: 'error' };
  rt.event('gather-end', { input: digits !== '', digits });
  return rt.fetchNext('action', action, verb.method, { Digits: digits });
}
