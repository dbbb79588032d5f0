// POST /webhook/incoming_call: record the call, pre-warm its agent, and answer with the greeting
// and <Connect><Stream> (the stream URL carries the call's token). A retry gets the same TwiML.
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { publicHostOf, publicProtocolOf } from '../../twilio/signature.js';
import { streamToken } from '../../twilio/stream-token.js';
import { incomingCallTwiml, voicemailTwiml } from '../../twilio/twiml.js';
import { passedAttestation } from '../../twilio/stir.js';
import { CALLER_VERIFIED_PARAMETER, VERIFIED_BY_STIR_A } from '../../agents/caller-trust.js';
import { GREETING_PATH } from '../static-routes.js';
import { wasSigned } from './signature-check.js';
import {
  callSid,
  callStatus,
  originOf,
  parseParams,
  sendTwiml,
  withinBudget,
  type WebhookHandler,
} from './webhook-kit.js';

const incomingCallParams = z.object({
  CallSid: callSid,
  AccountSid: z.string().optional(),
  From: z.string().optional(),
  To: z.string().optional(),
  Direction: z.string().optional(),
  CallStatus: callStatus.optional(),
  StirVerstat: z.string().optional(),
});

/** Said before the beep when this instance holds MAX_CALLS calls: short, and the caller is served. */
export const CAPACITY_PROMPT_HE = 'כל הקווים שלנו תפוסים כרגע. השאירו הודעה אחרי הצליל ונחזור אליכם בהקדם.';

export function incomingCall(deps: AppDeps): WebhookHandler {
  const { config, store, events } = deps;
  return async (request, reply) => {
    const p = parseParams(incomingCallParams, request, reply);
    if (!p) return reply;
    const origin = originOf(deps, request);
    const host = publicHostOf(origin);
    if (!host) return reply.code(400).send({ error: 'WEBHOOK_BAD_BODY', message: 'no Host header' });
    const log = request.log.child({ callSid: p.CallSid });
    const now = new Date();
    // Counted before the store is asked: a burst cannot overshoot while the writes are in flight.
    const admission = deps.capacity.admit(p.CallSid);
    const started = await withinBudget(
      request,
      'startCall',
      store
        .startCall({
          callSid: p.CallSid,
          accountSid: p.AccountSid ?? null,
          fromNumber: p.From ?? null,
          toNumber: p.To ?? null,
          direction: p.Direction ?? 'inbound',
          status: p.CallStatus ?? 'ringing',
          at: now,
        })
        // Remembered for the stream claim (required when STREAM_SIGNATURE_CHECK=log-only).
        .then(async (result) => {
          if (wasSigned(request))
            await store
              .markCallSigned(p.CallSid)
              .catch((err: unknown) => log.error({ err, what: 'markCallSigned' }, 'STORE_FAILED'));
          return result;
        }),
    );
    if (admission === 'full') {
      log.warn(
        { calls: deps.capacity.active, maxCalls: deps.capacity.max },
        'CAPACITY_FULL: MAX_CALLS reached; the caller is offered voicemail',
      );
      store.setCallOutcome(p.CallSid, 'capacity-voicemail').catch((err: unknown) => {
        log.error({ err, what: 'setCallOutcome' }, 'STORE_FAILED');
      });
      return sendTwiml(
        reply,
        voicemailTwiml({ prompt: CAPACITY_PROMPT_HE, maxLengthSec: config.voicemail.maxLengthSec }),
      );
    }
    if (started?.created) {
      events.publish({
        type: 'call.started',
        callSid: p.CallSid,
        from: p.From ?? null,
        to: p.To ?? null,
        at: now,
      });
      // Pre-warm the agent while the greeting plays; it must never delay the answer.
      try {
        deps.agents.prewarm?.({ callSid: p.CallSid, from: p.From ?? null, to: p.To ?? null });
      } catch (err) {
        log.error({ err }, 'AGENT_PREWARM_FAILED');
      }
    }
    const greeting = deps.greeting.available()
      ? ({ kind: 'mp3', path: GREETING_PATH } as const)
      : ({ kind: 'say', text: config.greeting.text } as const);
    const twiml = incomingCallTwiml({
      host,
      scheme: publicProtocolOf(origin),
      callSid: p.CallSid,
      token: streamToken(deps.authToken, p.CallSid),
      greeting,
      // The agent tells a verified caller more about their own history (caller-trust.ts).
      ...(passedAttestation(p.StirVerstat) === 'A'
        ? { parameters: { [CALLER_VERIFIED_PARAMETER]: VERIFIED_BY_STIR_A } }
        : {}),
    });
    log.info(
      { streamUrl: `wss://${host}/ws/twilio-media`, retried: started ? !started.created : undefined },
      'TWIML_CONNECT_STREAM',
    );
    return sendTwiml(reply, twiml);
  };
}
