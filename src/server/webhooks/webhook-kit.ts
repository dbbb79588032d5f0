// What every /webhook/* handler shares: the form body parser, the CallSid and CallStatus schemas,
// parsing a request's params (400 on bad ones), its public origin, answering with TwiML, and the
// store's time budget.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { publicHostOf, publicProtocolOf, type RequestOrigin } from '../../twilio/signature.js';
import { AppError } from '../../errors.js';
import { CALL_SID } from '../../twilio/sids.js';
import { answeringOrigin } from '../forwarded-origin.js';

const MAX_PARAMS = 1000;
/** Twilio gives up after 15 s; the store gets a small share of that, the caller never waits on it. */
const STORE_BUDGET_MS = 1500;

/** One webhook's handler, built once from the app's deps (see index.ts). */
export type WebhookHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export const callSid = z
  .string()
  .regex(CALL_SID, { message: 'CallSid must be CA followed by 32 lowercase hex digits' });
export { callStatusSchema as callStatus } from '../../twilio/call-status.js';
export const optionalInt = z
  .string()
  .regex(/^\d+$/)
  .transform((v) => Number(v))
  .optional();

export type Params = Record<string, string | string[]>;

/** Form bodies become null-prototype objects: `__proto__` and friends are plain keys, never magic. */
export function parseForm(body: string): Params {
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

/** The request's public origin; through the proxy when its signature matched the forwarded URL. */
export function originOf(deps: AppDeps, request: FastifyRequest): RequestOrigin {
  return answeringOrigin(request, {
    publicHost: deps.config.publicHost,
    trustProxy: deps.config.trustProxy,
    protocol: request.protocol,
    headers: request.headers,
  });
}

/** Parses the form body (or `source`, e.g. the query of a callback URL we wrote); 400 on bad input. */
/** The public http(s) origin a request came in on: absolute URLs in the TwiML answered to it. */
export function publicOrigin(deps: AppDeps, request: FastifyRequest): string | undefined {
  const origin = originOf(deps, request);
  const host = publicHostOf(origin);
  return host ? `${publicProtocolOf(origin)}://${host}` : undefined;
}

export function parseParams<T extends z.ZodTypeAny>(
  schema: T,
  request: FastifyRequest,
  reply: FastifyReply,
  source: unknown = request.body,
) {
  const parsed = schema.safeParse(source ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = `${issue?.path.join('.') || 'body'}: ${issue?.message}`;
    request.log.warn({ route: request.routeOptions.url, reason: message }, 'WEBHOOK_BAD_PARAMS');
    void reply.code(400).send({ error: 'WEBHOOK_BAD_BODY', message });
    return undefined;
  }
  return parsed.data as z.infer<T>;
}

export function sendTwiml(reply: FastifyReply, twiml: string) {
  return reply.code(200).type('text/xml; charset=utf-8').send(twiml);
}

/** Runs a store write within the webhook's budget; a slow or failing store is logged, not fatal. */
export async function withinBudget<T>(
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
