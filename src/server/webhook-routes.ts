// Twilio's HTTP webhooks: incoming_call, stream_ended, stream_status, call_status, handle_recording.
// Every request passes the form-signature check (scoped to this plugin) before its handler runs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from './app.js';
import { callStatusSchema as callStatus, isTerminalStatus, type CallStatus } from '../twilio/call-status.js';
import {
  isValidWebhookSignature,
  publicHostOf,
  publicProtocolOf,
  webhookUrl,
  type RequestOrigin,
} from '../twilio/signature.js';
import { streamToken } from '../twilio/stream-token.js';
import { emptyTwiml, hangupTwiml, incomingCallTwiml, voicemailTwiml } from '../twilio/twiml.js';
import { GREETING_PATH } from './static-routes.js';
import { webhookBodyErrors } from './error-reply.js';
import { AppError } from '../errors.js';

const MAX_PARAMS = 1000;
/** Twilio gives up after 15 s; the store gets a small share of that, the caller never waits on it. */
const STORE_BUDGET_MS = 1500;

const callSid = z
  .string()
  .regex(/^CA[0-9a-fA-F]{32}$/, { message: 'CallSid must be CA followed by 32 hex digits' });
const optionalInt = z
  .string()
  .regex(/^\d+$/)
  .transform((v) => Number(v))
  .optional();

const incomingCallParams = z.object({
  CallSid: callSid,
  AccountSid: z.string().optional(),
  From: z.string().optional(),
  To: z.string().optional(),
  Direction: z.string().optional(),
  CallStatus: callStatus.optional(),
});
const streamEndedParams = z.object({
  CallSid: callSid,
  CallStatus: callStatus.optional(),
  /** Present when this URL is the action of a transfer's <Dial>. */
  DialCallStatus: z.string().optional(),
});
const streamStatusParams = z.object({
  CallSid: callSid,
  StreamSid: z.string().min(1),
  StreamEvent: z.string().min(1),
  StreamError: z.string().optional(),
  Timestamp: z.string().optional(),
});
const callStatusParams = z.object({
  CallSid: callSid,
  CallStatus: callStatus,
  SequenceNumber: optionalInt,
  CallDuration: optionalInt,
  Timestamp: z.string().optional(),
});
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

type Params = Record<string, string | string[]>;

/** Form bodies become null-prototype objects: `__proto__` and friends are plain keys, never magic. */
function parseForm(body: string): Params {
  const params: Params = Object.create(null) as Params;
  let count = 0;
  for (const [key, value] of new URLSearchParams(body)) {
    if (++count > MAX_PARAMS)
      throw new AppError('WEBHOOK_TOO_LARGE', `more than ${MAX_PARAMS} form parameters`);
    const prior = params[key];
    params[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return params;
}

function originOf(deps: AppDeps, request: FastifyRequest): RequestOrigin {
  return {
    publicHost: deps.config.publicHost,
    trustProxy: deps.config.trustProxy,
    protocol: request.protocol,
    headers: request.headers,
  };
}

function parseParams<T extends z.ZodTypeAny>(schema: T, request: FastifyRequest, reply: FastifyReply) {
  const parsed = schema.safeParse(request.body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = `${issue?.path.join('.') || 'body'}: ${issue?.message}`;
    request.log.warn({ route: request.routeOptions.url, reason: message }, 'WEBHOOK_BAD_PARAMS');
    void reply.code(400).send({ error: 'WEBHOOK_BAD_BODY', message });
    return undefined;
  }
  return parsed.data as z.infer<T>;
}

function sendTwiml(reply: FastifyReply, twiml: string) {
  return reply.code(200).type('text/xml; charset=utf-8').send(twiml);
}

/** Runs a store write within the webhook's budget; a slow or failing store is logged, not fatal. */
async function withinBudget<T>(
  request: FastifyRequest,
  what: string,
  work: Promise<T>,
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STORE_BUDGET_MS);
  });
  try {
    const result = await Promise.race([work, timeout]);
    if (result === 'timeout') {
      request.log.error(
        { what, budgetMs: STORE_BUDGET_MS },
        'STORE_SLOW: answering without waiting for the store',
      );
      work.catch((err: unknown) => request.log.error({ err, what }, 'STORE_FAILED'));
      return undefined;
    }
    return result;
  } catch (err) {
    request.log.error({ err, what }, 'STORE_FAILED');
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

export async function webhookRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { config, store, events, metrics } = deps;

  app.setErrorHandler(webhookBodyErrors);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => {
      try {
        done(null, parseForm(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );

  app.addHook('onResponse', async (request, reply) => {
    metrics.webhooks.inc({ route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });

  // The form-signature check, for /webhook/* only (the media WebSocket has its own upgrade check).
  app.addHook('preHandler', async (request, reply) => {
    const signature = request.headers['x-twilio-signature'];
    const url = webhookUrl(originOf(deps, request), request.url);
    const params = (request.body ?? {}) as Params;
    const problem =
      typeof signature !== 'string' || signature === ''
        ? { code: 'WEBHOOK_SIGNATURE_MISSING', status: 400 }
        : !url || !isValidWebhookSignature(deps.authToken, signature, url, params)
          ? { code: 'WEBHOOK_SIGNATURE_INVALID', status: 403 }
          : undefined;
    if (!problem) return;
    const logLine = { route: request.routeOptions.url, signedUrl: url, code: problem.code };
    if (config.webhookSignatureMode === 'log-only') {
      request.log.warn(logLine, 'WEBHOOK_SIGNATURE_BAD but WEBHOOK_SIGNATURE_CHECK=log-only: accepting');
      return;
    }
    request.log.warn(
      { ...logLine, hint: 'check TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL / TRUST_PROXY' },
      'WEBHOOK_SIGNATURE_REJECTED',
    );
    return reply.code(problem.status).send({
      error: problem.code,
      message:
        problem.status === 400
          ? 'X-Twilio-Signature header is required'
          : `signature does not match ${url ?? 'this request'}; check the auth token and the public URL`,
    });
  });

  app.post('/webhook/incoming_call', async (request, reply) => {
    const p = parseParams(incomingCallParams, request, reply);
    if (!p) return reply;
    const origin = originOf(deps, request);
    const host = publicHostOf(origin);
    if (!host) return reply.code(400).send({ error: 'WEBHOOK_BAD_BODY', message: 'no Host header' });
    const log = request.log.child({ callSid: p.CallSid });
    const now = new Date();
    const started = await withinBudget(
      request,
      'startCall',
      store.startCall({
        callSid: p.CallSid,
        accountSid: p.AccountSid ?? null,
        fromNumber: p.From ?? null,
        toNumber: p.To ?? null,
        direction: p.Direction ?? 'inbound',
        status: p.CallStatus ?? 'ringing',
        at: now,
      }),
    );
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
    });
    log.info(
      { streamUrl: `wss://${host}/ws/twilio-media`, retried: started ? !started.created : undefined },
      'TWIML_CONNECT_STREAM',
    );
    return sendTwiml(reply, twiml);
  });

  app.post('/webhook/stream_ended', async (request, reply) => {
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
  });

  app.post('/webhook/stream_status', async (request, reply) => {
    const p = parseParams(streamStatusParams, request, reply);
    if (!p) return reply;
    const twilioCode = p.StreamError?.match(/\b(3\d{4})\b/)?.[1];
    const at = p.Timestamp && !Number.isNaN(Date.parse(p.Timestamp)) ? new Date(p.Timestamp) : new Date();
    await withinBudget(
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
    if (p.StreamEvent === 'stream-error') request.log.error(line, 'STREAM_STATUS');
    else request.log.info(line, 'STREAM_STATUS');
    return reply.code(204).send();
  });

  app.post('/webhook/call_status', async (request, reply) => {
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
  });

  app.post('/webhook/handle_recording', async (request, reply) => {
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
  });
}
