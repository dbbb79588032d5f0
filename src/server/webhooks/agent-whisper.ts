// POST /webhook/agent_whisper?attempt=N&agent=ID[&step=key], run on an agent's leg of a transfer's
// <Dial>: first the whisper (who calls, about what, press 1), then its <Gather> key — 1 accepts (the
// document ends and Twilio bridges), anything else or silence hangs the agent's leg up.
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { whisperDeclineTwiml } from '../../twilio/transfer-twiml.js';
import { callSid, parseParams, publicOrigin, sendTwiml, type WebhookHandler } from './webhook-kit.js';

const whisperQuery = z.object({
  attempt: z
    .string()
    .regex(/^\d{1,4}$/, { message: 'attempt must be a whole number' })
    .transform(Number),
  agent: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'agent must be a directory id' }),
  step: z.literal('key').optional(),
});

const whisperParams = z.object({
  /** The agent's leg. */
  CallSid: callSid,
  /** The caller's call, whose transfer this is. */
  ParentCallSid: callSid,
  Digits: z.string().max(32).optional(),
});

export function agentWhisper(deps: AppDeps): WebhookHandler {
  const { whisper } = deps;
  return async (request, reply) => {
    const q = parseParams(whisperQuery, request, reply, request.query);
    if (!q) return reply;
    const p = parseParams(whisperParams, request, reply);
    if (!p) return reply;
    const origin = publicOrigin(deps, request);
    if (!origin) return reply.code(400).send({ error: 'WEBHOOK_BAD_BODY', message: 'no Host header' });
    const leg = { parentCallSid: p.ParentCallSid, attempt: q.attempt, agentId: q.agent, origin };
    try {
      const twiml =
        q.step === 'key' ? await whisper.key({ ...leg, digits: p.Digits ?? '' }) : await whisper.prompt(leg);
      return sendTwiml(reply, twiml);
    } catch (err) {
      // The agent's leg hangs up; the caller's <Dial> goes on to the next leg or group.
      request.log.error({ err, callSid: p.ParentCallSid, agentId: q.agent }, 'TRANSFER_FAILED: whisper');
      return sendTwiml(reply, whisperDeclineTwiml());
    }
  };
}
