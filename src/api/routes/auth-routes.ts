// /api/v1/auth: sign in (a new session cookie and its CSRF token), sign out, who am I, and change
// my password. Login is the one public route that changes state; see requireJson for its CSRF.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthStore } from '../../store/auth-store.js';
import { ADMIN_PASSWORD_FILE, FIRST_ADMIN } from '../bootstrap-admin.js';
import { ApiError } from '../errors.js';
import { normaliseUsername, passwordField } from '../fields.js';
import { loginLimiter } from '../login-limits.js';
import { routeSchema } from '../openapi.js';
import { dummyHash, hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from '../password.js';
import { principalOf } from '../principal.js';
import { sidHash } from '../session-store.js';
import { SESSION_COOKIE, SESSION_COOKIE_PATH } from '../session-policy.js';
import { toApiKeyView, toUserView, userView, apiKeyView } from '../views.js';
import { parseBody } from '../validate.js';

const loginBody = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});
const passwordBody = z.object({
  currentPassword: z.string().max(MAX_PASSWORD_LENGTH),
  newPassword: passwordField,
});
const sessionAnswer = z.object({
  user: userView.nullable(),
  apiKey: apiKeyView.optional().describe('present when the caller is an API key'),
  csrfToken: z.string().nullable().describe('send it as x-csrf-token on POST/PUT/PATCH/DELETE'),
});

/**
 * Login CSRF: a page elsewhere could post a form to sign the browser in as the attacker. Forms
 * can only send urlencoded, multipart or text/plain bodies; a cross-site application/json POST
 * needs a CORS preflight, which this server never grants. So login takes application/json only.
 */
async function requireJson(request: FastifyRequest): Promise<void> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'sign in with a JSON body (content-type: application/json)');
  }
}

export interface AuthRouteDeps {
  store: AuthStore;
  dataDir: string;
}

export async function authRoutes(scope: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const { store } = deps;
  const limits = loginLimiter(scope);

  scope.post(
    '/auth/login',
    {
      config: { public: true },
      onRequest: [requireJson, limits.byIp],
      schema: routeSchema({
        summary: 'Sign in: sets the session cookie and returns the CSRF token',
        tags: ['auth'],
        public: true,
        body: loginBody,
        responses: { 200: sessionAnswer },
      }),
    },
    async (request, reply) => {
      const body = parseBody(loginBody, request);
      await limits.byUsername(request, reply);
      const user = await store.getUserByUsername(normaliseUsername(body.username));
      // Unknown users are checked against a dummy hash: same answer, same time.
      const matches = await verifyPassword(body.password, user?.passwordHash ?? (await dummyHash()));
      if (!user || !matches || user.disabledAt) {
        request.log.info('AUTH_LOGIN_FAILED');
        throw new ApiError('INVALID_CREDENTIALS', 'wrong username or password');
      }
      // A fresh id: a session id planted before sign-in (fixation) is worth nothing after it.
      await request.session.regenerate();
      const now = Date.now();
      request.session.userId = user.id;
      request.session.authAt = now;
      request.session.renewedAt = now;
      const csrfToken = reply.generateCsrf();
      await request.session.save();
      request.log.info({ userId: user.id }, 'AUTH_LOGIN');
      await store
        .deleteExpiredSessions(new Date(now))
        .catch((err: unknown) => request.log.warn({ err }, 'SESSION_PRUNE_FAILED'));
      return { user: toUserView(user), csrfToken };
    },
  );

  scope.post(
    '/auth/logout',
    {
      schema: routeSchema({
        summary: 'Sign out: ends the session',
        tags: ['auth'],
        responses: { 204: null },
      }),
    },
    async (request, reply: FastifyReply) => {
      if (request.session?.userId !== undefined) {
        request.log.info({ userId: request.session.userId }, 'AUTH_LOGOUT');
        await request.session.destroy();
        reply.clearCookie(SESSION_COOKIE, { path: SESSION_COOKIE_PATH });
      }
      return reply.code(204).send();
    },
  );

  scope.get(
    '/auth/session',
    {
      schema: routeSchema({
        summary: 'Who is signed in, and the CSRF token for this session',
        tags: ['auth'],
        responses: { 200: sessionAnswer },
      }),
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind === 'api-key') {
        return { user: null, apiKey: toApiKeyView(principal.apiKey), csrfToken: null };
      }
      const hadSecret = request.session.get('_csrf') !== undefined;
      const csrfToken = reply.generateCsrf();
      if (!hadSecret) await request.session.save();
      return { user: toUserView(principal.user), csrfToken };
    },
  );

  scope.post(
    '/auth/password',
    {
      schema: routeSchema({
        summary: 'Change my password (ends my other sessions)',
        tags: ['auth'],
        body: passwordBody,
        responses: { 204: null },
      }),
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind !== 'session') {
        throw new ApiError('FORBIDDEN', 'API keys have no password; sign in as the user');
      }
      const body = parseBody(passwordBody, request);
      if (!(await verifyPassword(body.currentPassword, principal.user.passwordHash))) {
        // Not 401: the session is fine, and a client treating 401 as "signed out" must not log out.
        throw new ApiError('BAD_REQUEST', 'currentPassword: is wrong', 'currentPassword');
      }
      const change = await store.updateUser(principal.user.id, {
        passwordHash: await hashPassword(body.newPassword),
        at: new Date(),
      });
      if (change.result !== 'ok') throw new ApiError('NOT_FOUND', 'this user no longer exists');
      await store.deleteUserSessions(principal.user.id, sidHash(request.session.sessionId));
      // The generated first password has served its purpose once the admin chose their own.
      if (principal.user.username === FIRST_ADMIN) {
        await rm(path.join(deps.dataDir, ADMIN_PASSWORD_FILE), { force: true });
      }
      request.log.info({ userId: principal.user.id }, 'AUTH_PASSWORD_CHANGED');
      return reply.code(204).send();
    },
  );
}
