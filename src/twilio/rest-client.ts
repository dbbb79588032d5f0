// TwilioCallsApi on the official twilio package: hang up (Status=completed) and replace a live
// call's TwiML. `baseUrl` re-targets the API host through twilio-node's documented httpClient
// option (a RequestClient subclass), so tests drive the real client against a fake REST server.
import twilio from 'twilio';
import type { TwilioCallsApi } from './rest.js';

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

export interface RestLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TwilioRestOptions {
  accountSid: string;
  authToken: string;
  /** Replaces https://api.twilio.com (scheme, host and an optional path prefix), e.g. a fake server. */
  baseUrl?: string;
  /** Per-request timeout (twilio-node's default is 30 s). */
  timeoutMs?: number;
  log?: RestLog;
}

/** A failed REST call, with Twilio's error code (e.g. 20003 bad credentials, 21220 call not live). */
export class TwilioRestError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TwilioRestError';
  }
}

/** Sends every request to `base` instead of the host twilio-node built the URL for. */
class BaseUrlRequestClient extends twilio.RequestClient {
  private readonly prefix: string;

  constructor(base: string, options: ConstructorParameters<typeof twilio.RequestClient>[0]) {
    super(options);
    this.prefix = new URL(base).href.replace(/\/+$/, '');
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    const original = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.prefix}${original.pathname}${original.search}` });
  }
}

/** Twilio's code on an error thrown by twilio-node (RestException), if any. */
function codeOf(err: unknown): { code?: number; status?: number; message: string } {
  const e = err as { code?: unknown; status?: unknown; message?: unknown };
  return {
    code: typeof e?.code === 'number' ? e.code : undefined,
    status: typeof e?.status === 'number' ? e.status : undefined,
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}

/** Twilio answers 20404 for a call that no longer exists (already ended and gone). */
const CALL_NOT_FOUND = 20404;

/**
 * Every request here steers a live call (hang up, transfer) while its caller waits on a quiet
 * line; Twilio answers these in well under a second, so past this the stream is closed instead
 * (voicemail) rather than leaving the caller in silence for twilio-node's 30 s.
 */
export const CALL_CONTROL_TIMEOUT_MS = 3500;

export function createTwilioCallsApi(options: TwilioRestOptions): TwilioCallsApi {
  const clientOptions = {
    timeout: options.timeoutMs ?? CALL_CONTROL_TIMEOUT_MS,
    autoRetry: true,
    maxRetries: 2,
  };
  const client = twilio(options.accountSid, options.authToken, {
    ...clientOptions,
    ...(options.baseUrl ? { httpClient: new BaseUrlRequestClient(options.baseUrl, clientOptions) } : {}),
  });

  const fail = (what: string, callSid: string, err: unknown): never => {
    const { code, status, message } = codeOf(err);
    options.log?.warn({ callSid, code, status, err: message }, `TWILIO_REST_FAILED: ${what}`);
    throw new TwilioRestError(`Twilio REST ${what} failed for ${callSid}: ${message}`, code, status, {
      cause: err,
    });
  };

  return {
    async hangUp(callSid: string): Promise<void> {
      try {
        await client.calls(callSid).update({ status: 'completed' });
        options.log?.info({ callSid }, 'TWILIO_REST_HANGUP');
      } catch (err) {
        if (codeOf(err).code === CALL_NOT_FOUND) {
          options.log?.info({ callSid }, 'TWILIO_REST_HANGUP: call already ended (20404)');
          return;
        }
        fail('hang-up', callSid, err);
      }
    },
    async updateTwiml(callSid: string, twiml: string): Promise<void> {
      try {
        await client.calls(callSid).update({ twiml });
        options.log?.info({ callSid }, 'TWILIO_REST_UPDATE_TWIML');
      } catch (err) {
        fail('TwiML update', callSid, err);
      }
    },
  };
}
