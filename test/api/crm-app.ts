// The one place the API tests build their server: the real server (startTestServer) with the CRM
// routes mounted under /api/v1 behind a TEST-ONLY stand-in for authentication. Swap this helper
// for the real login (session or API key) once the auth plugin is merged; the tests call only
// `startCrmTestServer`, `as` and `api`.
import type { FastifyRequest } from 'fastify';
import { crmRoutes } from '../../src/api/crm-routes.js';
import type { CrmPrincipal } from '../../src/api/crm-deps.js';
import { recordingAudioFor } from '../../src/api/recording-audio.js';
import { API_PREFIX } from '../../src/api/views.js';
import type { ServeOverrides } from '../../src/serve.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** TEST ONLY: who the stand-in authenticates a request as: `admin`, `agent` or `agent:<agentId>`. */
const PRINCIPAL_HEADER = 'x-test-principal';

export type TestPrincipal = 'admin' | 'agent' | `agent:${string}`;

function principalOf(value: string | string[] | undefined): CrmPrincipal {
  if (value === undefined || value === 'admin') return { role: 'admin', agentId: null };
  if (value === 'agent') return { role: 'agent', agentId: null };
  if (typeof value === 'string' && value.startsWith('agent:'))
    return { role: 'agent', agentId: value.slice(6) };
  throw new Error(`test principal header must be admin, agent or agent:<id> (got ${String(value)})`);
}

export interface CrmTestServer extends TestServer {
  /** http://127.0.0.1:port/api/v1 */
  api: string;
}

export async function startCrmTestServer(
  env: Record<string, string> = {},
  overrides: ServeOverrides = {},
): Promise<CrmTestServer> {
  const server = await startTestServer(env, {
    ...overrides,
    routes: async (built) => {
      const { config, log, store, events, authToken } = built.deps;
      const principals = new WeakMap<FastifyRequest, CrmPrincipal>();
      await built.app.register(
        async (scope) => {
          // TEST ONLY: stands in for the auth plugin; every request is taken as authenticated.
          scope.addHook('preHandler', async (request) => {
            principals.set(request, principalOf(request.headers[PRINCIPAL_HEADER]));
          });
          await crmRoutes(scope, {
            config,
            log,
            store,
            events,
            recordings: recordingAudioFor(config, authToken, log),
            principal: (request) => {
              const principal = principals.get(request);
              if (!principal) throw new Error('no principal: the request skipped authentication');
              return principal;
            },
          });
        },
        { prefix: API_PREFIX },
      );
    },
  });
  return { ...server, api: `${server.origin}${API_PREFIX}` };
}

/** Request headers that make the stand-in authenticate as `principal`. */
export function as(principal: TestPrincipal): Record<string, string> {
  return { [PRINCIPAL_HEADER]: principal };
}

/** GETs (or sends) JSON under /api/v1 and returns the status and the parsed body. */
export async function api<T = Record<string, unknown>>(
  s: CrmTestServer,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${s.api}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}
