// Operations endpoints: /healthz (the process answers), /readyz (each dependency), /metrics.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Readiness } from '../api/settings.js';
import type { AppDeps } from './app.js';

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

/** Each dependency's state, for /readyz and the Settings page alike. */
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
  return { db, twilio, agent, agentKind: deps.agents.name, redis, draining, ready };
}

export async function healthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    const { ready, draining, ...states } = await checkReadiness(deps, request.log);
    return reply.code(ready ? 200 : 503).send({ ...states, ...(draining ? { draining: true } : {}) });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
