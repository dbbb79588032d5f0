// The OpenAPI 3.1 document at GET /api/v1/openapi.json, built by @fastify/swagger from the routes'
// schemas. Routes declare zod schemas through routeSchema(); the JSON Schema is for the document
// only: the /api scope turns Fastify's own validation and response serialisation off (zod parses).
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import { API_ERRORS } from './errors.js';
import { SESSION_COOKIE } from './session-policy.js';

type Json = Record<string, unknown>;

/** Drops what says nothing to a reader: the ISO regex beside format: date-time, ±2^53 bounds. */
function tidy(schema: Json): void {
  if (schema.format === 'date-time') delete schema.pattern;
  if (schema.type === 'integer') {
    if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
    if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  }
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema; `$schema` is left out of the document. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Json {
  const generated = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => tidy(ctx.jsonSchema as Json),
  }) as Json;
  const { $schema: _drop, ...rest } = generated;
  return rest;
}

const DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '201': 'created',
  '202': 'accepted',
  '204': 'no content',
  '206': 'partial content (a Range request)',
};

const errorBody = jsonSchema(
  z.object({
    error: z.enum(Object.keys(API_ERRORS) as [keyof typeof API_ERRORS]),
    message: z.string(),
    field: z.string().optional(),
  }),
);

export interface RouteDoc {
  summary: string;
  description?: string;
  tags: readonly string[];
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Status → body schema; null for an empty answer (204); a media type for a body not JSON. */
  responses: Readonly<Record<number, z.ZodType | null | `${string}/${string}`>>;
  /** Further error answers the route gives (404, 409, 502…), each with the error body. */
  errors?: Readonly<Record<number, string>>;
  /** Reachable without a session or key (documented with an empty security list). */
  public?: boolean;
}

/**
 * The `schema` of a route under /api, for the OpenAPI document:
 * `scope.get('/users', { schema: routeSchema({ summary, tags, responses: { 200: usersList } }) }, …)`.
 * 400/401/403 answers are documented on every route that can give them.
 */
export function routeSchema(doc: RouteDoc): FastifySchema {
  const response: Json = {};
  for (const [status, body] of Object.entries(doc.responses)) {
    const description = DESCRIPTIONS[status] ?? 'answer';
    response[status] =
      body === null
        ? { description, type: 'null' }
        : typeof body === 'string'
          ? { description, content: { [body]: { schema: { type: 'string', format: 'binary' } } } }
          : { description, ...jsonSchema(body) };
  }
  const error = (description: string) => ({ description, ...errorBody });
  for (const [status, description] of Object.entries(doc.errors ?? {})) response[status] = error(description);
  if (doc.body || doc.query || doc.params) response['400'] ??= error('bad input; `field` names it');
  if (!doc.public) {
    response['401'] ??= error('no valid session or API key');
    response['403'] ??= error('wrong role, or a cookie request without its CSRF token');
  }
  return {
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: doc.tags,
    ...(doc.public ? { security: [] } : {}),
    ...(doc.body ? { body: jsonSchema(doc.body, 'input') } : {}),
    ...(doc.query ? { querystring: jsonSchema(doc.query, 'input') } : {}),
    ...(doc.params ? { params: jsonSchema(doc.params, 'input') } : {}),
    response,
  };
}

/**
 * Registers the document builder (before any route, so it sees them all) and its route. The
 * document is public: it describes an open-source API, holds no data, and integrators' tools
 * fetch it before they have a key.
 */
export async function registerOpenApi(scope: FastifyInstance): Promise<void> {
  await scope.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AgentLocator API',
        version: '1',
        description:
          'The CRM API. Browsers sign in with POST /api/v1/auth/login (a session cookie, and an ' +
          'x-csrf-token header on every POST/PUT/PATCH/DELETE); integrations send ' +
          '`Authorization: Bearer al_…` (an API key an admin created).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          apiKey: { type: 'http', scheme: 'bearer', description: 'an API key, al_…' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
  });
  scope.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    scope.swagger(),
  );
}

/** Zod parses every input, so Fastify's ajv must not (it would answer first, in other words). */
export function schemasForDocsOnly(scope: FastifyInstance): void {
  scope.setValidatorCompiler(() => () => true);
  scope.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
