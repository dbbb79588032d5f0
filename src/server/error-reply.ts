// Error answers in the catalogue's words: every 4xx/5xx is JSON {error, message} with the status
// errors.ts gives its code, and Fastify's own body errors on /webhook/* are renamed to our codes.
import type { FastifyError, FastifyReply } from 'fastify';
import { AppError, ERRORS, type ErrorCode, type ErrorSpec } from '../errors.js';

export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  const spec: ErrorSpec = ERRORS[code];
  return reply.code(spec.http ?? 500).send({ error: code, message: message ?? spec.summary });
}

const WEBHOOK_BODY_ERRORS = new Map<string, ErrorCode>([
  ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'WEBHOOK_UNSUPPORTED_TYPE'],
  ['FST_ERR_CTP_BODY_TOO_LARGE', 'WEBHOOK_TOO_LARGE'],
]);

/** The webhook scope's error handler: renames what it knows, then hands on to the app's handler. */
export function webhookBodyErrors(error: FastifyError): never {
  const code = error.code === undefined ? undefined : WEBHOOK_BODY_ERRORS.get(error.code);
  throw code ? new AppError(code, error.message, { cause: error }) : error;
}
