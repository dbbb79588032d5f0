// The API's error answers: every failure under /api is JSON {error, message} (and `field` when
// one input was wrong), with codes a client can switch on. Anything else goes to the app's handler.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export const API_ERRORS = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  /** Twilio (or another service the API acts through) refused or failed. */
  UPSTREAM_FAILED: 502,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** The input that was wrong, as the client named it (`username`, `limit`, `id`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = API_ERRORS[code];
  }
}

export interface ApiErrorBody {
  error: string;
  message: string;
  field?: string;
}

/** Fastify's own 4xx inside /api (bad JSON, body too large, wrong content type) in the API's words. */
const FASTIFY_STATUS_CODES: Partial<Record<number, ApiErrorCode>> = {
  400: 'BAD_REQUEST',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** The /api scope's error handler; what it does not know it rethrows to the app's handler. */
export function apiErrorHandler(
  error: FastifyError | ApiError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof ApiError) {
    const body: ApiErrorBody = { error: error.code, message: error.message };
    if (error.field !== undefined) body.field = error.field;
    // RFC 9110: a 401 names the scheme that would work (a browser shows no dialog for Bearer).
    if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="agentlocator"');
    return reply.code(error.status).send(body);
  }
  if (error.code === 'FST_CSRF_MISSING_SECRET' || error.code === 'FST_CSRF_INVALID_TOKEN') {
    request.log.warn({ url: request.url, method: request.method }, 'CSRF_REFUSED');
    return reply.code(403).send({
      error: 'CSRF_INVALID',
      message: 'missing or wrong x-csrf-token header; the token comes with GET /api/v1/auth/session',
    });
  }
  const mapped = error.statusCode === undefined ? undefined : FASTIFY_STATUS_CODES[error.statusCode];
  if (mapped) {
    request.log.warn({ code: error.code, url: request.url }, 'API_BAD_REQUEST');
    return reply.code(error.statusCode!).send({ error: mapped, message: error.message });
  }
  throw error;
}
