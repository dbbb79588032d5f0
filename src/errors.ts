// One catalogue of coded errors: each code maps to the HTTP status, WebSocket close code and the
// Twilio error it would cause, so logs, responses and `doctor` speak the same language.

export type ErrorKind = 'config' | 'protocol' | 'auth' | 'store' | 'bug';

export interface ErrorSpec {
  readonly kind: ErrorKind;
  readonly http?: number;
  readonly wsClose?: number;
  /** The Twilio error a caller's call would show if this reached Twilio. */
  readonly twilio?: number;
  readonly summary: string;
}

export const ERRORS = {
  CONFIG_INVALID: { kind: 'config', summary: 'configuration is invalid' },
  NOT_FOUND: { kind: 'protocol', http: 404, summary: 'no such route or resource' },
  METHOD_NOT_ALLOWED: { kind: 'protocol', http: 405, summary: 'the path exists; the method is not served' },
  WEBHOOK_SIGNATURE_MISSING: { kind: 'auth', http: 400, summary: 'X-Twilio-Signature header is missing' },
  WEBHOOK_SIGNATURE_INVALID: { kind: 'auth', http: 403, summary: 'X-Twilio-Signature does not match' },
  WEBHOOK_BAD_BODY: { kind: 'protocol', http: 400, summary: 'webhook body is malformed' },
  WEBHOOK_UNSUPPORTED_TYPE: { kind: 'protocol', http: 415, summary: 'webhook body must be form-encoded' },
  WEBHOOK_TOO_LARGE: { kind: 'protocol', http: 413, summary: 'webhook body is too large' },
  STREAM_SIGNATURE_INVALID: {
    kind: 'auth',
    http: 403,
    twilio: 31920,
    summary: 'media stream upgrade signature missing or wrong',
  },
  STREAM_NOT_UPGRADE: { kind: 'protocol', http: 426, summary: 'this path only serves WebSocket upgrades' },
  STREAM_QUERY_STRING: {
    kind: 'protocol',
    http: 400,
    twilio: 31920,
    summary: 'a media stream URL must not carry a query string',
  },
  STREAM_TOKEN_INVALID: {
    kind: 'auth',
    wsClose: 1008,
    summary: 'stream token missing, wrong, used or expired',
  },
  STREAM_NO_START: { kind: 'protocol', wsClose: 1008, summary: 'no valid start message in time' },
  STREAM_FLOOD: { kind: 'protocol', wsClose: 1008, summary: 'too many bad or excess frames' },
  STREAM_PENDING_LIMIT: {
    kind: 'protocol',
    http: 503,
    summary: 'too many media streams are waiting for their start message',
  },
  STREAM_SLOW_READER: { kind: 'protocol', wsClose: 1011, summary: 'peer is not reading; send queue full' },
  STREAM_DRAINING: { kind: 'protocol', http: 503, wsClose: 1001, summary: 'server is shutting down' },
  OPS_UNAUTHORIZED: {
    kind: 'auth',
    http: 401,
    summary: '/readyz and /metrics need the METRICS_TOKEN bearer',
  },
  TEST_CALL_NOT_UPGRADE: {
    kind: 'protocol',
    http: 426,
    summary: 'the test call is a WebSocket; connect with an upgrade',
  },
  TEST_CALL_ORIGIN: {
    kind: 'auth',
    http: 403,
    summary: 'a test call must come from a page of this server (Origin)',
  },
  TEST_CALL_BUSY: { kind: 'protocol', http: 409, summary: 'a test call is already live for this session' },
  TEST_CALL_FULL: { kind: 'protocol', http: 503, summary: 'too many test calls are live; try again soon' },
  STORE_FAILED: { kind: 'store', http: 503, summary: 'the store did not answer' },
  INTERNAL: { kind: 'bug', http: 500, wsClose: 1011, summary: 'unexpected internal error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly spec: ErrorSpec;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ? `${ERRORS[code].summary}: ${detail}` : ERRORS[code].summary, options);
    this.name = 'AppError';
    this.spec = ERRORS[code];
  }
}
