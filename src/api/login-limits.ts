// Sign-in attempts are limited per client address and per username (@fastify/rate-limit's
// counters): guessing is slow from one machine, and slow against one account from many.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/rate-limit'; // its FastifyInstance.createRateLimit type
import { ApiError } from './errors.js';
import { normaliseUsername } from './fields.js';

/**
 * Every attempt counts, successful or not: counting only failures would need a read-then-write
 * that concurrent guesses slip through. A person signs in a few times a day, far below these.
 */
export const LOGIN_LIMITS = {
  perIp: { max: 30, windowMs: 5 * 60_000 },
  perUsername: { max: 10, windowMs: 15 * 60_000 },
} as const;

const usernameOf = (request: FastifyRequest): string => {
  const raw = (request.body as { username?: unknown } | undefined)?.username;
  return normaliseUsername(typeof raw === 'string' ? raw : '');
};

export function loginLimiter(scope: FastifyInstance) {
  const { perIp: ip, perUsername: user } = LOGIN_LIMITS;
  const perIp = scope.createRateLimit({ max: ip.max, timeWindow: ip.windowMs });
  const perUsername = scope.createRateLimit({
    max: user.max,
    timeWindow: user.windowMs,
    keyGenerator: (request) => `user:${usernameOf(request)}`,
  });
  const check = async (
    limiter: typeof perIp,
    which: 'ip' | 'username',
    request: FastifyRequest,
    reply: FastifyReply,
  ) => {
    const result = await limiter(request);
    if (result.isAllowed || !result.isExceeded) return;
    request.log.warn({ limit: which, retryAfterSec: result.ttlInSeconds }, 'AUTH_LOGIN_RATE_LIMITED');
    reply.header('retry-after', String(result.ttlInSeconds));
    throw new ApiError(
      'RATE_LIMITED',
      `too many sign-in attempts; retry in ${result.ttlInSeconds} s`,
      which === 'username' ? 'username' : undefined,
    );
  };
  return {
    /** Before the body is read. */
    byIp: (request: FastifyRequest, reply: FastifyReply) => check(perIp, 'ip', request, reply),
    /** After the body parsed (the key is its username). */
    byUsername: (request: FastifyRequest, reply: FastifyReply) =>
      check(perUsername, 'username', request, reply),
  };
}
