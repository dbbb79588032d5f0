// /api/v1/api-keys: keys for integrations, made and revoked by a signed-in admin. The key is in
// the creation answer only; afterwards only its prefix is shown.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuthStore } from '../../store/auth-store.js';
import { newApiKeySecret } from '../api-key-secret.js';
import { ApiError } from '../errors.js';
import { idParams } from '../fields.js';
import { routeSchema } from '../openapi.js';
import { principalOf, requireRole } from '../principal.js';
import { apiKeyView, toApiKeyView } from '../views.js';
import { parseBody, parseParams } from '../validate.js';

export const apiKeyName = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(100, { message: 'must be at most 100 characters' });
const createBody = z.object({ name: apiKeyName });

export async function apiKeyRoutes(scope: FastifyInstance, deps: { store: AuthStore }): Promise<void> {
  const { store } = deps;
  const adminOnly = requireRole('admin', { sessionOnly: true });
  const tags = ['api-keys'];

  scope.get(
    '/api-keys',
    {
      onRequest: adminOnly,
      schema: routeSchema({
        summary: 'List API keys (revoked ones too)',
        tags,
        responses: { 200: z.object({ apiKeys: z.array(apiKeyView) }) },
      }),
    },
    async () => ({ apiKeys: (await store.listApiKeys()).map(toApiKeyView) }),
  );

  scope.post(
    '/api-keys',
    {
      onRequest: adminOnly,
      schema: routeSchema({
        summary: 'Create an API key; the key is shown in this answer only',
        tags,
        body: createBody,
        responses: {
          201: z.object({ apiKey: apiKeyView, key: z.string().describe('al_…; store it now') }),
        },
      }),
    },
    async (request, reply) => {
      const { name } = parseBody(createBody, request);
      const me = principalOf(request);
      const secret = newApiKeySecret();
      const apiKey = await store.createApiKey({
        name,
        prefix: secret.prefix,
        secretHash: secret.secretHash,
        createdBy: me.kind === 'session' ? me.user.id : null,
        at: new Date(),
      });
      request.log.info({ apiKeyId: apiKey.id }, 'API_KEY_CREATED');
      return reply.code(201).send({ apiKey: toApiKeyView(apiKey), key: secret.key });
    },
  );

  scope.delete(
    '/api-keys/:id',
    {
      onRequest: adminOnly,
      schema: routeSchema({ summary: 'Revoke an API key', tags, params: idParams, responses: { 204: null } }),
    },
    async (request, reply) => {
      const { id } = parseParams(idParams, request);
      if ((await store.revokeApiKey(id, new Date())) === 'not-found') {
        throw new ApiError('NOT_FOUND', `no API key ${id}`, 'id');
      }
      request.log.info({ apiKeyId: id }, 'API_KEY_REVOKED');
      return reply.code(204).send();
    },
  );
}
