// The /api scope's gate: every route not marked public needs a signed-in session or a bearer API
// key (else 401), and a session's state-changing requests need the CSRF token (else 403).
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type {} from '@fastify/csrf-protection'; // its FastifyInstance.csrfProtection type
import type { Logger } from 'pino';
import type { AuthStore } from '../store/auth-store.js';
import { bearerToken, hashApiKey, looksLikeApiKey } from './api-key-secret.js';
import { ApiError } from './errors.js';
import {
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
  SESSION_COOKIE_PATH,
  SESSION_RENEW_MS,
} from './session-policy.js';

/** A key's last use is written at most this often: bearer requests must not each cost a write. */
const KEY_TOUCH_MS = 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIGN_IN = 'sign in (POST /api/v1/auth/login) or send Authorization: Bearer <API key>';

async function viaApiKey(store: AuthStore, log: Logger, header: string, request: FastifyRequest) {
  const token = bearerToken(header);
  if (!token || !looksLikeApiKey(token)) {
    throw new ApiError('UNAUTHENTICATED', 'the Authorization header must be "Bearer al_…" (an API key)');
  }
  const key = await store.getApiKeyByHash(hashApiKey(token));
  if (!key || key.revokedAt) throw new ApiError('UNAUTHENTICATED', 'this API key is unknown or revoked');
  const now = Date.now();
  if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > KEY_TOUCH_MS) {
    await store
      .touchApiKey(key.id, new Date(now))
      .catch((err: unknown) => log.warn({ err, apiKeyId: key.id }, 'API_KEY_TOUCH_FAILED'));
  }
  request.principal = { kind: 'api-key', role: 'admin', apiKey: key };
}

/** Ends a session that can no longer be used, in the store and in the browser; the 401 to throw. */
async function endSession(request: FastifyRequest, reply: FastifyReply, why: string): Promise<ApiError> {
  if (request.session?.userId !== undefined) await request.session.destroy();
  reply.clearCookie(SESSION_COOKIE, { path: SESSION_COOKIE_PATH });
  return new ApiError('UNAUTHENTICATED', why);
}

async function viaSession(store: AuthStore, request: FastifyRequest, reply: FastifyReply) {
  const session = request.session;
  const userId = session?.userId;
  if (typeof userId !== 'number') {
    // A cookie the store no longer knows (logged out, expired): tell the browser to drop it.
    if (request.cookies[SESSION_COOKIE] !== undefined) throw await endSession(request, reply, SIGN_IN);
    throw new ApiError('UNAUTHENTICATED', SIGN_IN);
  }
  const now = Date.now();
  if (typeof session.authAt !== 'number' || now - session.authAt > SESSION_ABSOLUTE_MS) {
    throw await endSession(request, reply, 'the session is too old; sign in again');
  }
  const user = await store.getUserById(userId);
  if (!user || user.disabledAt) throw await endSession(request, reply, 'this account is disabled or deleted');
  // Rolling expiry, written at most every SESSION_RENEW_MS; saving also re-sends the cookie.
  if (typeof session.renewedAt !== 'number' || now - session.renewedAt > SESSION_RENEW_MS) {
    session.renewedAt = now;
    session.touch();
    await session.save();
  }
  request.principal = { kind: 'session', role: user.role, user };
}

export function authenticate(store: AuthStore, log: Logger) {
  return async function authenticateRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config.public) return;
    const header = request.headers.authorization;
    // A bearer header decides alone: a bad key is refused, never "rescued" by a cookie.
    if (header !== undefined) await viaApiKey(store, log, header, request);
    else await viaSession(store, request, reply);
  };
}

/**
 * Cookies ride along on cross-site requests; the token in `x-csrf-token` does not. Bearer keys
 * are not ambient (a page elsewhere cannot make the browser send them), so they need no token.
 */
export function csrfGuard(scope: FastifyInstance): onRequestHookHandler {
  return function checkCsrf(request, reply, done) {
    if (request.principal?.kind !== 'session' || SAFE_METHODS.has(request.method)) {
      done();
      return;
    }
    scope.csrfProtection(request, reply, done);
  };
}
