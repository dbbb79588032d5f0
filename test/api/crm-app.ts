// The one place the API tests build their server: the real server (startTestServer) with the CRM
// routes behind the real gate. `as(principal)` marks a request with who should make it; `api()`
// swaps that mark for real credentials: an admin session, or an agent user (created through the
// API, linked to the directory agent named) signed in with its own session and CSRF token.
import { API_PREFIX } from '../../src/api/crm-views.js';
import type { ServeOverrides } from '../../src/serve.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ADMIN_PASSWORD, ApiClient, signedInUser } from './support.js';

/** Who a request is made as: stripped by api() and replaced by that principal's credentials. */
const PRINCIPAL_HEADER = 'x-test-principal';

export type TestPrincipal = 'admin' | 'agent' | `agent:${string}`;

export interface CrmTestServer extends TestServer {
  /** http://127.0.0.1:port/api/v1 */
  api: string;
  /** A signed-in client for the principal (created on first use). */
  client(principal: TestPrincipal): Promise<ApiClient>;
}

export async function startCrmTestServer(
  env: Record<string, string> = {},
  overrides: ServeOverrides = {},
): Promise<CrmTestServer> {
  const server = await startTestServer({ ADMIN_PASSWORD, ...env }, overrides);
  const clients = new Map<string, Promise<ApiClient>>();
  let users = 0;
  const client = (principal: TestPrincipal): Promise<ApiClient> => {
    let made = clients.get(principal);
    if (!made) {
      made =
        principal === 'admin'
          ? (async () => {
              const admin = new ApiClient(server.origin);
              const login = await admin.login('admin', ADMIN_PASSWORD);
              if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
              return admin;
            })()
          : client('admin').then((admin) =>
              signedInUser(admin, {
                username: `agent-user-${++users}`,
                role: 'agent',
                ...(principal.startsWith('agent:') ? { agentId: principal.slice(6) } : {}),
              }),
            );
      clients.set(principal, made);
    }
    return made;
  };
  const crm: CrmTestServer = {
    ...server,
    api: `${server.origin}${API_PREFIX}`,
    client,
    stop: async () => {
      live.delete(crm);
      await server.stop();
    },
  };
  live.add(crm);
  signPlainFetches();
  return crm;
}

const live = new Set<CrmTestServer>();
let realFetch: typeof fetch | undefined;

/**
 * Tests that fetch the API directly (SSE, audio, CSV) mark requests with as(); a request to a live
 * test server's API with neither a cookie nor a bearer key gets that principal's real credentials
 * (admin when unmarked). Sign-in requests pass as they are.
 */
function signPlainFetches(): void {
  if (realFetch) return;
  const original = globalThis.fetch;
  realFetch = original;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const s = [...live].find((x) => url.startsWith(x.api) && !url.startsWith(`${x.api}/auth/`));
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!s || headers.has('cookie') || headers.has('authorization')) return original(input, init);
    const principal = (headers.get(PRINCIPAL_HEADER) ?? 'admin') as TestPrincipal;
    headers.delete(PRINCIPAL_HEADER);
    for (const [k, v] of Object.entries(await credentials(s, principal))) headers.set(k, v);
    return original(input, { ...init, headers });
  };
}

/** The real credentials of `principal` as headers (cookie, CSRF token), for a plain fetch. */
export async function credentials(
  s: CrmTestServer,
  principal: TestPrincipal,
): Promise<Record<string, string>> {
  const c = await s.client(principal);
  return {
    cookie: [...c.jar].map(([k, v]) => `${k}=${v}`).join('; '),
    ...(c.csrfToken ? { 'x-csrf-token': c.csrfToken } : {}),
  };
}

/** Marks a request (made through api()) as made by `principal`. */
export function as(principal: TestPrincipal): Record<string, string> {
  return { [PRINCIPAL_HEADER]: principal };
}

/** GETs (or sends) JSON under /api/v1 and returns the status and the parsed body. */
export async function api<T = Record<string, unknown>>(
  s: CrmTestServer,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const { [PRINCIPAL_HEADER]: principal, ...headers } = init.headers ?? {};
  const res = await fetch(`${s.api}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(await credentials(s, (principal ?? 'admin') as TestPrincipal)),
      ...headers,
    },
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}
