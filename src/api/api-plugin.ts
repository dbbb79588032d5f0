// The /api scope: register it at prefix /api/v1. Everything registered inside it (our access
// routes, and the CRM's routes passed as `routes`) needs a session or an API key, answers errors
// as JSON, parses input with zod, and is described in the OpenAPI document.
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import session from '@fastify/session';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import { authenticate, csrfGuard } from './authenticate.js';
import { bootstrapAdmin } from './bootstrap-admin.js';
import { apiErrorHandler } from './errors.js';
import { registerOpenApi, schemasForDocsOnly } from './openapi.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { readOrCreateSessionSecret } from './session-secret.js';
import { SESSION_COOKIE, SESSION_IDLE_MS, sessionCookie } from './session-policy.js';
import { StoreSessionStore } from './session-store.js';

/** A set of routes to register inside the authenticated scope (paths relative to /api/v1). */
export type ApiRoutes = (scope: FastifyInstance) => Promise<void>;

export interface ApiPluginOptions {
  config: Pick<Config, 'dataDir' | 'publicScheme' | 'sessionSecret' | 'adminPassword'>;
  store: Store;
  log: Logger;
  /** Registered after authentication is in place, in this order. */
  routes?: readonly ApiRoutes[];
}

async function sessionSecret(opts: ApiPluginOptions): Promise<string> {
  if (opts.config.sessionSecret) return opts.config.sessionSecret;
  const { secret, created, file } = await readOrCreateSessionSecret(opts.config.dataDir);
  if (created) {
    opts.log.info(
      { file },
      'SESSION_SECRET_GENERATED: SESSION_SECRET not set, generated one (set SESSION_SECRET when several instances share a database)',
    );
  }
  return secret;
}

export const apiPlugin: FastifyPluginAsync<ApiPluginOptions> = async (scope, opts) => {
  const { store, log, config } = opts;
  // The secret first: a data directory we cannot write must fail before an admin is created.
  const secret = await sessionSecret(opts);
  await bootstrapAdmin({ store, dataDir: config.dataDir, adminPassword: config.adminPassword, log });

  schemasForDocsOnly(scope);
  scope.setErrorHandler(apiErrorHandler);
  scope.decorateRequest('principal', null);
  // Answers carry callers' personal data: no shared cache may keep them.
  scope.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  await scope.register(cookie);
  await scope.register(session, {
    secret,
    cookieName: SESSION_COOKIE,
    cookie: sessionCookie(config),
    store: new StoreSessionStore(store, SESSION_IDLE_MS, log),
    // Nothing is stored for visitors who have not signed in, and renewal is ours (throttled).
    saveUninitialized: false,
    rolling: false,
  });
  await scope.register(csrf, {
    sessionPlugin: '@fastify/session',
    // Refusals are logged once, by the API's error handler (CSRF_REFUSED).
    logLevel: 'debug',
    getToken: (request) => {
      const token = request.headers['x-csrf-token'];
      return typeof token === 'string' ? token : undefined;
    },
  });
  await scope.register(rateLimit, { global: false });
  await registerOpenApi(scope);

  scope.addHook('onRequest', authenticate(store, log));
  scope.addHook('onRequest', csrfGuard(scope));

  const dataDir = config.dataDir;
  await scope.register(async (s) => authRoutes(s, { store, dataDir }));
  await scope.register(async (s) => userRoutes(s, { store }));
  await scope.register(async (s) => apiKeyRoutes(s, { store }));
  for (const routes of opts.routes ?? []) await scope.register(routes);
};
