// <Dial>: rings every <Number>/<Sip>/<Client> at once (or one after the other with
// sequential="true"), bridges the first leg that answers and accepts its whisper, hangs up the rest,
// then posts DialCallStatus, DialCallSid, DialCallDuration and DialBridged to the action.
import { phoneFor } from './agent-phones.js';
import type { Doc } from './call-http.js';
import { DialLeg, type LegContext } from './dial-leg.js';
import { newSid } from './ids.js';
import type { CallRuntime, VerbOutcome } from './runtime.js';
import type { DialTarget, Verb } from './twiml-parse.js';
import type { DialCallStatus, DialLegRecord, DialRecord } from './types.js';

type DialVerb = Extract<Verb, { verb: 'Dial' }>;

/** The nouns the emulator dials; <Conference>, <Queue>, <Application>, … are not emulated. */
const DIALLED = new Set(['Number', 'Sip', 'Client']);

/**
 * The DialCallStatus of the leg that decided the Dial. An answered leg that hung up in its whisper
 * is `completed` with DialBridged=false: Twilio added DialBridged (TwiML changelog, 2020-12-09) to
 * tell a leg hung up during screening from one bridged with the caller. A leg hung up before it
 * answered is `canceled` (Twilio: "canceled via the REST API before it was answered"); the emulator
 * says the same when the caller hung up, which Twilio does not document.
 */
function statusOf(leg: DialLegRecord | undefined): DialCallStatus {
  if (!leg) return 'failed';
  switch (leg.outcome) {
    case 'bridged':
    case 'declined':
      return 'completed';
    default:
      return leg.outcome;
  }
}

export async function dial(rt: CallRuntime, verb: DialVerb, doc: Doc): Promise<VerbOutcome> {
  const targets = verb.targets.map(({ kind, value }) => ({ kind, value }));
  const dialled: DialTarget[] = [];
  for (const target of verb.targets) {
    if (DIALLED.has(target.kind)) dialled.push(target);
    else rt.event('unsupported-verb', { name: `Dial/${target.kind}` });
  }
  rt.event('dial', {
    targets,
    callerId: verb.callerId,
    timeoutSec: verb.timeoutSec,
    answerOnBridge: verb.answerOnBridge,
    sequential: verb.sequential,
  });

  const legs: DialLeg[] = [];
  /**
   * Legs in the order they ended. With nobody bridged the last one decides the status and
   * DialCallSid (the emulator's reading: Twilio does not say which leg a multi-number Dial reports).
   */
  const ended: DialLeg[] = [];
  let winner: DialLeg | undefined;
  const ctx: LegContext = {
    rt,
    doc,
    timeoutMs: verb.timeoutSec * 1000,
    from: verb.callerId ?? rt.params('in-progress').From ?? '',
    claimBridge: (leg) => {
      if (winner) return false;
      winner = leg;
      // Twilio connects the first leg to pick up (and pass its whisper) and hangs up the others.
      for (const other of legs) if (other !== leg) other.cancel();
      return true;
    },
  };
  const ring = async (target: DialTarget) => {
    const leg = new DialLeg(ctx, target, phoneFor(rt.caller.dial, target));
    legs.push(leg);
    await leg.run();
    ended.push(leg);
  };
  // answerOnBridge keeps an unanswered inbound call ringing until the bridge; the emulator's calls
  // are answered before any verb runs (and a transfer happens mid-call), so it is only recorded.
  if (verb.sequential) {
    // sequential="true": one after the other, each with the full timeout, until one is bridged.
    for (const target of dialled) {
      await ring(target);
      if (winner || rt.interrupt()) break;
    }
  } else {
    await Promise.all(dialled.map(ring));
  }

  const deciding = (winner ?? ended.at(-1))?.record;
  const record: DialRecord = {
    targets,
    ...(verb.callerId ? { callerId: verb.callerId } : {}),
    timeoutSec: verb.timeoutSec,
    answerOnBridge: verb.answerOnBridge,
    sequential: verb.sequential,
    outcome: statusOf(deciding),
    bridged: winner !== undefined,
    dialCallSid: deciding?.callSid ?? newSid('CA'),
    durationSec: deciding?.durationSec ?? 0,
    legs: legs.map((l) => l.record),
  };
  rt.dials.push(record);
  const intr = rt.interrupt();
  rt.event('dial-end', {
    outcome: record.outcome,
    bridged: record.bridged,
    dialCallSid: record.dialCallSid,
    durationSec: record.durationSec,
    ...(intr ? { interruptedBy: intr.kind } : {}),
  });

  if (!verb.action) return intr ? { kind: 'interrupted' } : { kind: 'next' };
  const action = rt.resolveUrl(verb.action, doc, '<Dial action>');
  if (!action) return intr ? { kind: 'interrupted' } : { kind: 'end', by: 'error' };
  const params = {
    DialCallSid: record.dialCallSid,
    DialCallStatus: record.outcome,
    DialBridged: String(record.bridged),
    ...(deciding?.answeredAt !== undefined ? { DialCallDuration: String(record.durationSec) } : {}),
  };
  // The action is requested in every case. After a hang-up its TwiML is never run; after a REST
  // update Twilio requests it too (TwiML changelog, 2021-05-13) and then runs the new TwiML.
  const next = await rt.fetchNext(
    'action',
    action,
    verb.method,
    params,
    intr?.kind === 'hangup' ? 'completed' : 'in-progress',
  );
  return intr ? { kind: 'interrupted' } : next;
}
