// POST /webhook/stream_ended, the <Connect action>: the stream is over; a caller still on the line
// reaches voicemail (with the prompt the agent chose, or the default one), unless a transfer
// owns the call now (its REST-updated TwiML runs instead of this answer).
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { emptyTwiml, voicemailTwiml } from '../../twilio/twiml.js';
import {
  callSid,
  callStatus,
  parseParams,
  sendTwiml,
  withinBudget,
  type WebhookHandler,
} from './webhook-kit.js';

const streamEndedParams = z.object({
  CallSid: callSid,
  CallStatus: callStatus.optional(),
});

export function streamEnded(deps: AppDeps): WebhookHandler {
  const { config, store, transfers } = deps;
  return async (request, reply) => {
    const p = parseParams(streamEndedParams, request, reply);
    if (!p) return reply;
    const log = request.log.child({ callSid: p.CallSid });
    await withinBudget(
      request,
      'addCallEvent',
      store.addCallEvent({
        callSid: p.CallSid,
        kind: 'webhook',
        name: 'stream-ended',
        detail: { callStatus: p.CallStatus ?? null },
        at: new Date(),
      }),
    );
    // Only a caller still on the line can leave a message; otherwise there is nothing to run.
    if (p.CallStatus && p.CallStatus !== 'in-progress') {
      log.info({ callStatus: p.CallStatus }, 'STREAM_ENDED: call over, empty TwiML');
      return sendTwiml(reply, emptyTwiml());
    }
    // A slow or failing store still gets the caller a voicemail, with the default prompt.
    const next = await withinBudget(request, 'afterStream', transfers.afterStream(p.CallSid));
    if (next?.kind === 'transfer') {
      log.info('STREAM_ENDED: a transfer runs the call, empty TwiML');
      return sendTwiml(reply, emptyTwiml());
    }
    log.info('STREAM_ENDED: voicemail fallback');
    return sendTwiml(
      reply,
      voicemailTwiml({
        prompt: next ? next.prompt : config.voicemail.prompt,
        maxLengthSec: config.voicemail.maxLengthSec,
      }),
    );
  };
}
