// The form-signature check every /webhook/* request passes before its handler runs (the media
// WebSocket has its own upgrade check). WEBHOOK_SIGNATURE_CHECK=log-only accepts with a warning.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.js';
import { isValidWebhookSignature, webhookUrl } from '../../twilio/signature.js';
import { originOf, type Params } from './webhook-kit.js';
import { forwardedHttpsOrigin, learnForwarded } from '../forwarded-origin.js';

/** Requests whose signature checked out (log-only mode lets others through too). */
const signed = new WeakSet<FastifyRequest>();

/** The request carried a valid X-Twilio-Signature (false for one let through by log-only). */
export function wasSigned(request: FastifyRequest): boolean {
  return signed.has(request);
}

export function signatureCheck(deps: AppDeps) {
  const { config } = deps;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const signature = request.headers['x-twilio-signature'];
    const url = webhookUrl(originOf(deps, request), request.url);
    const params = (request.body ?? {}) as Params;
    const given = typeof signature === 'string' ? signature : '';
    const present = given !== '';
    const problem = !present
      ? { code: 'WEBHOOK_SIGNATURE_MISSING', status: 400 }
      : !url || !isValidWebhookSignature(deps.authToken, given, url, params)
        ? { code: 'WEBHOOK_SIGNATURE_INVALID', status: 403 }
        : undefined;
    if (!problem) {
      signed.add(request);
      return;
    }
    // Nothing configured, behind a TLS proxy: the https URL the forwarded headers describe.
    const forwarded = present ? forwardedHttpsOrigin(originOf(deps, request)) : undefined;
    const forwardedUrl = forwarded ? webhookUrl(forwarded, request.url) : undefined;
    if (
      forwardedUrl &&
      forwardedUrl !== url &&
      isValidWebhookSignature(deps.authToken, given, forwardedUrl, params)
    ) {
      learnForwarded(request);
      deps.forwardedOrigin.matched(forwardedUrl, 'webhook');
      signed.add(request);
      return;
    }
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
  };
}
