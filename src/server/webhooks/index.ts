// Twilio's HTTP webhooks, one file per route (table below). Registered as an encapsulated plugin,
// so the form parser and the signature check apply to /webhook/* only. A new route: a file + a line.
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';
import { agentWhisper } from './agent-whisper.js';
import { callStatusUpdate } from './call-status.js';
import { dialStatus } from './dial-status.js';
import { handleRecording } from './handle-recording.js';
import { incomingCall } from './incoming-call.js';
import { signatureCheck } from './signature-check.js';
import { streamEnded } from './stream-ended.js';
import { streamStatus } from './stream-status.js';
import { parseForm, type WebhookHandler } from './webhook-kit.js';
import { webhookBodyErrors } from '../error-reply.js';

const ROUTES: Record<string, (deps: AppDeps) => WebhookHandler> = {
  '/webhook/incoming_call': incomingCall,
  '/webhook/stream_ended': streamEnded,
  '/webhook/stream_status': streamStatus,
  '/webhook/call_status': callStatusUpdate,
  '/webhook/handle_recording': handleRecording,
  '/webhook/dial_status': dialStatus,
  '/webhook/agent_whisper': agentWhisper,
};

export async function webhookRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
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
    const route = request.routeOptions.url ?? 'unknown';
    deps.metrics.webhooks.inc({ route, status: String(reply.statusCode) });
    deps.metrics.webhookSeconds.observe({ route }, reply.elapsedTime / 1000);
  });

  app.addHook('preHandler', signatureCheck(deps));

  for (const [url, handler] of Object.entries(ROUTES)) app.post(url, handler(deps));
}
