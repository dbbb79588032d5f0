// POST /webhook/dial_status?attempt=N, the <Dial action> of a transfer: bridged and over → thanks
// and hang up; no answer, busy, failed, canceled or a declined whisper → the next ring group; none
// left → the no-answer prompt and voicemail. Retries answer as the first callback did.
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { voicemailTwiml } from '../../twilio/twiml.js';
import {
  callSid,
  callStatus,
  parseParams,
  publicOrigin,
  sendTwiml,
  type WebhookHandler,
} from './webhook-kit.js';

const dialStatusQuery = z.object({
  attempt: z
    .string()
    .regex(/^\d{1,4}$/, { message: 'attempt must be a whole number' })
    .transform(Number),
});

const dialStatusParams = z.object({
  CallSid: callSid,
  CallStatus: callStatus.optional(),
  DialCallStatus: z.string().min(1).max(32),
  DialCallSid: z.string().optional(),
  DialBridged: z.enum(['true', 'false']).optional(),
  DialCallDuration: z.string().optional(),
});

export function dialStatus(deps: AppDeps): WebhookHandler {
  const { config, transfers } = deps;
  return async (request, reply) => {
    const q = parseParams(dialStatusQuery, request, reply, request.query);
    if (!q) return reply;
    const p = parseParams(dialStatusParams, request, reply);
    if (!p) return reply;
    const origin = publicOrigin(deps, request);
    if (!origin) return reply.code(400).send({ error: 'WEBHOOK_BAD_BODY', message: 'no Host header' });
    try {
      const twiml = await transfers.dialStatus({
        callSid: p.CallSid,
        attempt: q.attempt,
        dialCallStatus: p.DialCallStatus,
        bridged: p.DialBridged === undefined ? undefined : p.DialBridged === 'true',
        callStatus: p.CallStatus,
        origin,
      });
      return sendTwiml(reply, twiml);
    } catch (err) {
      // The caller is still on the line: a message beats an application error.
      request.log.error({ err, callSid: p.CallSid }, 'TRANSFER_FAILED: dial_status answers voicemail');
      return sendTwiml(reply, voicemailTwiml({ ...config.voicemail, origin }));
    }
  };
}
