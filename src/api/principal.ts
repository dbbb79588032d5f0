// Who is calling: a signed-in user (browser session) or an API key (integration). Routes inside
// the /api scope read it with principalOf() and restrict themselves with requireRole().
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ApiKeyRecord, Role, UserRecord } from '../store/auth-store.js';
import { ApiError } from './errors.js';

export type { Role };

export type Principal =
  | { readonly kind: 'session'; readonly role: Role; readonly user: UserRecord }
  /** Integrations read and write the CRM as an admin would, but cannot manage users or keys. */
  | { readonly kind: 'api-key'; readonly role: 'admin'; readonly apiKey: ApiKeyRecord };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the /api scope's authentication; null outside it and on its public routes. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** true: the route answers without a session or key (login, the OpenAPI document). */
    public?: boolean;
  }
  interface Session {
    userId?: number;
    /** Epoch ms of the password check that started this session (the absolute lifetime). */
    authAt?: number;
    /** Epoch ms of the last expiry renewal (rolling sessions, written at most every few minutes). */
    renewedAt?: number;
    _csrf?: string;
  }
}

/** The caller of a route inside the /api scope; 401 if (on a public route) there is none. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError('UNAUTHENTICATED', 'sign in or send an API key');
  return request.principal;
}

/**
 * What an agent user is limited to: the calls their directory agent took (agentId null: an agent
 * user not linked yet, who sees none). undefined = no limit (admins and API keys).
 */
export function agentScopeOf(principal: Principal): { agentId: string | null } | undefined {
  return principal.kind === 'session' && principal.role === 'agent'
    ? { agentId: principal.user.agentId }
    : undefined;
}

export interface RoleOptions {
  /** Refuse API keys even when the role matches (managing users and keys needs a person). */
  sessionOnly?: boolean;
}

/**
 * A hook restricting a route to the given roles, e.g.
 * `scope.post('/users', { onRequest: requireRole('admin', { sessionOnly: true }) }, handler)`.
 * As an onRequest hook it answers 403 before the body is even read.
 */
export function requireRole(
  roles: Role | readonly Role[],
  options: RoleOptions = {},
): onRequestAsyncHookHandler {
  const allowed: readonly Role[] = typeof roles === 'string' ? [roles] : roles;
  const needs = allowed.join(' or ');
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const principal = principalOf(request);
    if (options.sessionOnly && principal.kind !== 'session') {
      throw new ApiError('FORBIDDEN', `API keys cannot do this; sign in as ${needs}`);
    }
    if (!allowed.includes(principal.role)) {
      throw new ApiError('FORBIDDEN', `this needs the ${needs} role`);
    }
  };
}
