// POST /webhook/stream_status, the <Stream statusCallback>: each stream event (and Twilio's error
// code, if any) becomes a call event, once per stream and event.
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { callSid, parseParams, withinBudget, type WebhookHandler } from './webhook-kit.js';

const streamStatusParams = z.object({
  CallSid: callSid,
  StreamSid: z.string().min(1),
  StreamEvent: z.string().min(1),
  StreamError: z.string().optional(),
  Timestamp: z.string().optional(),
});

export function streamStatus(deps: AppDeps): WebhookHandler {
  const { store } = deps;
  return async (request, reply) => {
    const p = parseParams(streamStatusParams, request, reply);
    if (!p) return reply;
    const twilioCode = p.StreamError?.match(/\b(3\d{4})\b/)?.[1];
    const at = p.Timestamp && !Number.isNaN(Date.parse(p.Timestamp)) ? new Date(p.Timestamp) : new Date();
    const stored = await withinBudget(
      request,
      'addCallEvent',
      store.addCallEvent({
        callSid: p.CallSid,
        kind: p.StreamEvent === 'stream-error' ? 'stream-error' : 'stream',
        name: p.StreamEvent,
        twilioCode: twilioCode ? Number(twilioCode) : null,
        detail: { streamSid: p.StreamSid, error: p.StreamError ?? null },
        at,
        dedupeKey: `stream-status:${p.StreamSid}:${p.StreamEvent}`,
      }),
    );
    const line = {
      callSid: p.CallSid,
      streamSid: p.StreamSid,
      streamEvent: p.StreamEvent,
      error: p.StreamError,
    };
    if (p.StreamEvent === 'stream-error') {
      // A retried callback (deduplicated by the store) is one error, not two.
      if (stored !== false) deps.metrics.streamErrors.inc({ twilio_code: twilioCode ?? 'unknown' });
      request.log.error(line, 'STREAM_STATUS');
    } else request.log.info(line, 'STREAM_STATUS');
    return reply.code(204).send();
  };
}
