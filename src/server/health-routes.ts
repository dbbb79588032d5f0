// Operations endpoints: /healthz (the process answers), /readyz (each dependency, draining,
// capacity), /metrics. With METRICS_TOKEN, /readyz and /metrics need that bearer token; with
// OPS_PORT they are served on 127.0.0.1:OPS_PORT only (opsServer) and not on PORT.
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Readiness } from '../api/settings.js';
import type { AppDeps } from './app.js';
import { transcriptionStatus } from '../jobs/transcription-status.js';
import { sendError } from './error-reply.js';

type DependencyState = 'ok' | 'disabled' | 'error' | 'unconfigured';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each dependency's state, for /readyz and the Settings page (GET /api/v1/settings) alike. */
export async function checkReadiness(deps: AppDeps, log: FastifyBaseLogger): Promise<Readiness> {
  let db: DependencyState = 'ok';
  try {
    await within(1000, deps.store.ping());
  } catch (err) {
    log.error({ err }, 'READYZ_DB_ERROR');
    db = 'error';
  }
  const twilio: DependencyState = deps.authTokenSource === 'env' ? 'ok' : 'unconfigured';
  const agent: DependencyState = deps.agents.health();
  const redis: DependencyState = deps.redisHealth ? await deps.redisHealth() : 'disabled';
  const draining = deps.isDraining();
  // A missing Twilio token is loud in /readyz and the logs but does not stop local use.
  const ready = db === 'ok' && agent !== 'error' && redis !== 'error' && !draining;
  const capacity = {
    state: deps.capacity.full ? ('full' as const) : ('ok' as const),
    calls: deps.capacity.active,
    maxCalls: deps.capacity.max,
  };
  return { db, twilio, agent, agentKind: deps.agents.name, redis, draining, ready, capacity };
}

function hasBearer(request: FastifyRequest, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Routes on the main port: /healthz always; /readyz and /metrics unless OPS_PORT moves them. */
export async function healthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  if (deps.config.ops.opsPort === undefined) await opsRoutes(app, deps);
}

/** /readyz and /metrics, behind METRICS_TOKEN when it is set. */
export async function opsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const status = transcriptionStatus(deps.config);
  const token = deps.config.ops.metricsToken;
  if (token) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.url !== '/readyz' && request.url !== '/metrics') return;
      if (hasBearer(request, token)) return;
      request.log.warn({ url: request.url }, 'OPS_UNAUTHORIZED: no or wrong METRICS_TOKEN bearer');
      return sendError(reply, 'OPS_UNAUTHORIZED', 'send Authorization: Bearer <METRICS_TOKEN>');
    });
  }

  app.get('/readyz', async (request, reply) => {
    const { ready, draining, capacity, ...states } = await checkReadiness(deps, request.log);
    // Full is still ready (200): the load balancer keeps the instance for its live calls; a
    // weighted one can read `capacity` and send new calls elsewhere.
    return reply.code(ready ? 200 : 503).send({
      ...states,
      // Off is a choice (no audio leaves the machine), not a fault: it never makes the server unready.
      transcription: status.transcription ? 'ok' : 'disabled',
      analysis: status.analysis ? 'ok' : 'disabled',
      capacity: capacity.state,
      calls: capacity.calls,
      maxCalls: capacity.maxCalls,
      ...(draining ? { draining: true } : {}),
    });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}

/** OPS_PORT: /healthz, /readyz and /metrics on the loopback address only, apart from the calls. */
export async function opsServer(deps: AppDeps, port: number): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    disableRequestLogging: true,
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  await opsRoutes(app, deps);
  await app.listen({ port, host: '127.0.0.1' });
  return app;
}
