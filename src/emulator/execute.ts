// Runs one TwiML document verb by verb until a verb moves the call elsewhere (an action or
// redirect), ends it, or is interrupted; Twilio hangs up when a document runs out of verbs.
import type { Doc } from './call-http.js';
import { connect } from './connect-verb.js';
import { dial } from './dial.js';
import { gather } from './gather.js';
import type { CallRuntime, VerbOutcome } from './runtime.js';
import { pause, play, record, redirect, say } from './verbs.js';
import type { Verb } from './twiml-parse.js';

async function runVerb(rt: CallRuntime, verb: Verb, doc: Doc): Promise<VerbOutcome> {
  switch (verb.verb) {
    case 'Say':
      return say(rt, verb);
    case 'Play':
      return play(rt, verb, doc);
    case 'Pause':
      return pause(rt, verb);
    case 'Connect':
      return connect(rt, verb, doc);
    case 'Record':
      return record(rt, verb, doc);
    case 'Dial':
      return dial(rt, verb, doc);
    case 'Gather':
      return gather(rt, verb, doc);
    case 'Redirect':
      return redirect(rt, verb, doc);
    case 'Hangup':
      rt.event('hangup-verb');
      return { kind: 'end', by: 'twiml' };
    case 'Reject':
      rt.event('reject', { reason: verb.reason });
      return { kind: 'end', by: 'twiml', status: 'busy' };
    case 'Unsupported':
      rt.event('unsupported-verb', { name: verb.name });
      return { kind: 'next' };
  }
}

export async function executeDocument(rt: CallRuntime, doc: Doc): Promise<VerbOutcome> {
  for (const verb of doc.verbs) {
    if (rt.interrupt()) return { kind: 'interrupted' };
    const outcome = await runVerb(rt, verb, doc);
    if (outcome.kind !== 'next') return outcome;
  }
  return { kind: 'end', by: 'twiml' };
}
