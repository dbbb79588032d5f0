// POST /webhook/call_status, the call's statusCallback: the store applies statuses in sequence
// order; an applied terminal status ends the call's stream and releases its agent.
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { isTerminalStatus, type CallStatus } from '../../twilio/call-status.js';
import { callSid, callStatus, optionalInt, parseParams, type WebhookHandler } from './webhook-kit.js';

const callStatusParams = z.object({
  CallSid: callSid,
  CallStatus: callStatus,
  SequenceNumber: optionalInt,
  CallDuration: optionalInt,
  Timestamp: z.string().optional(),
});

export function callStatusUpdate(deps: AppDeps): WebhookHandler {
  const { store, events } = deps;
  return async (request, reply) => {
    const p = parseParams(callStatusParams, request, reply);
    if (!p) return reply;
    const at = new Date();
    const status: CallStatus = p.CallStatus;
    const result = await store.applyCallStatus({
      callSid: p.CallSid,
      status,
      sequenceNumber: p.SequenceNumber ?? null,
      durationSec: p.CallDuration ?? null,
      at,
    });
    const line = { callSid: p.CallSid, status, sequenceNumber: p.SequenceNumber, result };
    if (result === 'unknown') {
      request.log.warn(line, 'CALL_STATUS for an unknown call: ignored');
      return reply.code(204).send();
    }
    await store.addCallEvent({
      callSid: p.CallSid,
      kind: 'status',
      name: status,
      detail: {
        sequenceNumber: p.SequenceNumber ?? null,
        duration: p.CallDuration ?? null,
        applied: result === 'applied',
      },
      at,
      dedupeKey: `status:${p.CallSid}:${p.SequenceNumber ?? status}`,
    });
    request.log.info(line, 'CALL_STATUS');
    if (result === 'applied') {
      events.publish({ type: 'call.status', callSid: p.CallSid, status, at });
      if (isTerminalStatus(status)) deps.onCallEnded?.(p.CallSid);
    }
    return reply.code(204).send();
  };
}
