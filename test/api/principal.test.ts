// requireRole and agentScopeOf, the typed checks the /api routes use: roles, API keys refused
// where a person is needed, and the directory agent an agent user is limited to.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import { agentScopeOf, principalOf, requireRole, type Principal } from '../../src/api/principal.js';
import type { UserRecord } from '../../src/store/auth-store.js';

const user = (role: 'admin' | 'agent', agentId: string | null = null): UserRecord => ({
  id: 1,
  username: 'u',
  role,
  agentId,
  passwordHash: 'x',
  disabledAt: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});
const session = (role: 'admin' | 'agent', agentId: string | null = null): Principal => ({
  kind: 'session',
  role,
  user: user(role, agentId),
});
const apiKey: Principal = {
  kind: 'api-key',
  role: 'admin',
  apiKey: {
    id: 1,
    name: 'k',
    prefix: 'al_x',
    createdBy: null,
    createdAt: new Date(0),
    lastUsedAt: null,
    revokedAt: null,
  },
};

async function run(hook: ReturnType<typeof requireRole>, principal: Principal | null): Promise<string> {
  const request = { principal } as FastifyRequest;
  try {
    await hook.call(undefined as never, request, {} as FastifyReply);
    return 'allowed';
  } catch (err) {
    if (err instanceof ApiError) return `${err.status} ${err.code}`;
    throw err;
  }
}

describe('requireRole', () => {
  it('lets the named roles through and answers 403 FORBIDDEN to the others', async () => {
    expect(await run(requireRole('admin'), session('admin'))).toBe('allowed');
    expect(await run(requireRole('admin'), session('agent'))).toBe('403 FORBIDDEN');
    expect(await run(requireRole(['admin', 'agent']), session('agent'))).toBe('allowed');
    expect(await run(requireRole('admin'), apiKey)).toBe('allowed');
  });

  it('refuses API keys when a person is needed, and 401s with no principal at all', async () => {
    expect(await run(requireRole('admin', { sessionOnly: true }), apiKey)).toBe('403 FORBIDDEN');
    expect(await run(requireRole('admin', { sessionOnly: true }), session('admin'))).toBe('allowed');
    expect(await run(requireRole('agent'), null)).toBe('401 UNAUTHENTICATED');
    expect(() => principalOf({ principal: null } as FastifyRequest)).toThrow(ApiError);
  });
});

describe('agentScopeOf', () => {
  it('limits agent users to their directory agent; admins and keys see everything', () => {
    expect(agentScopeOf(session('agent', 'dana'))).toEqual({ agentId: 'dana' });
    expect(agentScopeOf(session('agent'))).toEqual({ agentId: null });
    expect(agentScopeOf(session('admin', 'dana'))).toBeUndefined();
    expect(agentScopeOf(apiKey)).toBeUndefined();
  });
});
