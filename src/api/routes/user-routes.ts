// /api/v1/users: people who sign in (admin only, and only a signed-in admin, not an API key).
// Nobody can remove the last enabled admin, and an admin cannot delete, demote or disable themself.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuthStore, UserPatch } from '../../store/auth-store.js';
import { ApiError } from '../errors.js';
import { agentIdField, idParams, passwordField, roleField, usernameField } from '../fields.js';
import { routeSchema } from '../openapi.js';
import { hashPassword } from '../password.js';
import { principalOf, requireRole } from '../principal.js';
import { toUserView, userView } from '../views.js';
import { parseBody, parseParams } from '../validate.js';

const createBody = z.object({
  username: usernameField,
  password: passwordField,
  role: roleField,
  agentId: agentIdField.optional(),
});
const patchBody = z
  .object({
    role: roleField.optional(),
    agentId: agentIdField.optional(),
    password: passwordField.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' });

const LAST_ADMIN = 'there must stay at least one enabled admin; make another user admin first';

export async function userRoutes(scope: FastifyInstance, deps: { store: AuthStore }): Promise<void> {
  const { store } = deps;
  const adminOnly = requireRole('admin', { sessionOnly: true });
  const tags = ['users'];

  scope.get(
    '/users',
    {
      onRequest: adminOnly,
      schema: routeSchema({
        summary: 'List users',
        tags,
        responses: { 200: z.object({ users: z.array(userView) }) },
      }),
    },
    async () => ({ users: (await store.listUsers()).map(toUserView) }),
  );

  scope.post(
    '/users',
    {
      onRequest: adminOnly,
      schema: routeSchema({
        summary: 'Create a user',
        tags,
        body: createBody,
        responses: { 201: z.object({ user: userView }) },
      }),
    },
    async (request, reply) => {
      const body = parseBody(createBody, request);
      const user = await store.createUser({
        username: body.username,
        role: body.role,
        agentId: body.agentId ?? null,
        passwordHash: await hashPassword(body.password),
        at: new Date(),
      });
      if (!user) throw new ApiError('CONFLICT', `username: "${body.username}" is taken`, 'username');
      request.log.info({ userId: user.id, role: user.role, by: principalOf(request).kind }, 'USER_CREATED');
      return reply.code(201).send({ user: toUserView(user) });
    },
  );

  scope.patch(
    '/users/:id',
    {
      onRequest: adminOnly,
      schema: routeSchema({
        summary:
          'Change a user (role, agent link, password, disabled); a new password or disabling ends their sessions',
        tags,
        params: idParams,
        body: patchBody,
        responses: { 200: z.object({ user: userView }) },
      }),
    },
    async (request) => {
      const { id } = parseParams(idParams, request);
      const body = parseBody(patchBody, request);
      const me = principalOf(request);
      const demotesSelf = (body.role !== undefined && body.role !== 'admin') || body.disabled === true;
      if (me.kind === 'session' && me.user.id === id && demotesSelf) {
        throw new ApiError('CONFLICT', 'you cannot demote or disable yourself; ask another admin');
      }
      const patch: UserPatch = { at: new Date() };
      if (body.role !== undefined) patch.role = body.role;
      if (body.agentId !== undefined) patch.agentId = body.agentId;
      if (body.disabled !== undefined) patch.disabled = body.disabled;
      if (body.password !== undefined) patch.passwordHash = await hashPassword(body.password);
      const change = await store.updateUser(id, patch);
      if (change.result === 'not-found') throw new ApiError('NOT_FOUND', `no user ${id}`, 'id');
      if (change.result === 'last-admin') throw new ApiError('CONFLICT', LAST_ADMIN);
      if (body.password !== undefined || body.disabled === true) await store.deleteUserSessions(id);
      request.log.info({ userId: id, fields: Object.keys(body) }, 'USER_CHANGED');
      return { user: toUserView(change.user) };
    },
  );

  scope.delete(
    '/users/:id',
    {
      onRequest: adminOnly,
      schema: routeSchema({
        summary: 'Delete a user (and end their sessions)',
        tags,
        params: idParams,
        responses: { 204: null },
      }),
    },
    async (request, reply) => {
      const { id } = parseParams(idParams, request);
      const me = principalOf(request);
      if (me.kind === 'session' && me.user.id === id) {
        throw new ApiError('CONFLICT', 'you cannot delete yourself; ask another admin');
      }
      const result = await store.deleteUser(id);
      if (result === 'not-found') throw new ApiError('NOT_FOUND', `no user ${id}`, 'id');
      if (result === 'last-admin') throw new ApiError('CONFLICT', LAST_ADMIN);
      request.log.info({ userId: id }, 'USER_DELETED');
      return reply.code(204).send();
    },
  );
}
