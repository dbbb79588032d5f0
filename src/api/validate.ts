// Parsing request input with zod at the edge: a failure is 400 {error:'BAD_REQUEST', message,
// field} naming the first wrong field, so every /api route reports bad input the same way.
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ApiError } from './errors.js';

type Part = 'body' | 'query' | 'params';

function fieldOf(path: readonly PropertyKey[]): string | undefined {
  return path.length === 0 ? undefined : path.map((p) => String(p)).join('.');
}

/** Parses `value` or throws ApiError BAD_REQUEST; `part` names where it came from when no field does. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: Part): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? fieldOf(issue.path) : undefined;
  const what = field ?? part;
  const message = issue ? `${what}: ${issue.message}` : `${what}: invalid`;
  throw new ApiError('BAD_REQUEST', message, field ?? part);
}

/** A JSON body; a missing body parses as `undefined`, so the schema's message names it. */
export function parseBody<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> {
  return parseInput(schema, request.body, 'body');
}

/** The query string: values are strings (use z.coerce for numbers and dates). */
export function parseQuery<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> {
  return parseInput(schema, request.query, 'query');
}

/** Path parameters (`/users/:id` → { id: '12' }): strings, like the query. */
export function parseParams<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> {
  return parseInput(schema, request.params, 'params');
}
