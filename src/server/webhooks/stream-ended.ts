// POST /webhook/stream_ended, the <Connect action> (and a transfer's <Dial action>): the stream is
// over; a caller still on the line reaches voicemail, unless an answered transfer already ended.
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { emptyTwiml, hangupTwiml, voicemailTwiml } from '../../twilio/twiml.js';
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
  /** Present when this URL is the action of a transfer's <Dial>. */
  DialCallStatus: z.string().optional(),
});

export function streamEnded(deps: AppDeps): WebhookHandler {
  const { config, store } = deps;
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
        detail: { callStatus: p.CallStatus ?? null, dialCallStatus: p.DialCallStatus ?? null },
        at: new Date(),
      }),
    );
    // Only a caller still on the line can leave a message; otherwise there is nothing to run.
    if (p.CallStatus && p.CallStatus !== 'in-progress') {
      log.info({ callStatus: p.CallStatus }, 'STREAM_ENDED: call over, empty TwiML');
      return sendTwiml(reply, emptyTwiml());
    }
    // A transfer that was answered has done its job: the human hung up first, so does the call.
    if (p.DialCallStatus === 'completed' || p.DialCallStatus === 'answered') {
      log.info({ dialCallStatus: p.DialCallStatus }, 'TRANSFER_ENDED: hanging up');
      return sendTwiml(reply, hangupTwiml(config.voicemail.transferDone));
    }
    log.info('STREAM_ENDED: voicemail fallback');
    return sendTwiml(reply, voicemailTwiml(config.voicemail));
  };
}
