// POST /webhook/handle_recording: the voicemail <Record action> (answered with thanks and a hang-up)
// and its recordingStatusCallback (204); either one lists the recording with the call.
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { hangupTwiml } from '../../twilio/twiml.js';
import { callSid, parseParams, sendTwiml, type WebhookHandler } from './webhook-kit.js';

const recordingParams = z.object({
  CallSid: callSid,
  RecordingSid: z
    .string()
    .regex(/^RE[0-9a-fA-F]{32}$/)
    .optional(),
  RecordingUrl: z.string().url().optional(),
  RecordingDuration: z
    .string()
    .regex(/^-?\d+$/)
    .optional(),
  RecordingStatus: z.string().optional(),
  Digits: z.string().optional(),
});

export function handleRecording(deps: AppDeps): WebhookHandler {
  const { config, store, events } = deps;
  return async (request, reply) => {
    const p = parseParams(recordingParams, request, reply);
    if (!p) return reply;
    // The <Record action> request may omit RecordingSid; its URL ends with it.
    const recordingSid = p.RecordingSid ?? p.RecordingUrl?.match(/(RE[0-9a-fA-F]{32})(\.\w+)?$/)?.[1];
    const isStatusCallback = p.RecordingStatus !== undefined;
    if (recordingSid) {
      const at = new Date();
      await store.upsertRecording({
        recordingSid,
        callSid: p.CallSid,
        url: p.RecordingUrl ?? null,
        durationSec: p.RecordingDuration !== undefined ? Math.max(0, Number(p.RecordingDuration)) : null,
        status: p.RecordingStatus ?? null,
        source: 'voicemail',
        at,
      });
      events.publish({
        type: 'recording',
        callSid: p.CallSid,
        recordingSid,
        status: p.RecordingStatus ?? null,
        at,
      });
      request.log.info(
        { callSid: p.CallSid, recordingSid, status: p.RecordingStatus, duration: p.RecordingDuration },
        'RECORDING_STORED',
      );
    } else {
      request.log.warn({ callSid: p.CallSid, digits: p.Digits }, 'RECORDING_CALLBACK without a recording');
    }
    if (isStatusCallback) return reply.code(204).send();
    return sendTwiml(reply, hangupTwiml(config.voicemail.thanks));
  };
}
