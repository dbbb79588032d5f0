// Parsing request input with zod at the edge: a failure is 400 {error:'BAD_REQUEST', message,
// field} naming the first wrong field, so every /api route reports bad input the same way.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from './errors.js';

type Part = 'body' | 'query' | 'params';

function issueField(issue: z.core.$ZodIssue): string | undefined {
  // An unknown key is reported on the object; the key itself is the field to name.
  if (issue.code === 'unrecognized_keys') return issue.keys[0];
  return issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
}

/** Parses `value` or throws ApiError BAD_REQUEST; `part` names where it came from when no field does. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: Part): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? issueField(issue) : undefined;
  const what = field ?? part;
  const message =
    issue?.code === 'unrecognized_keys' ? 'is not a field of this resource' : (issue?.message ?? 'invalid');
  throw new ApiError('BAD_REQUEST', `${what}: ${message}`, field ?? part);
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

/** An opaque page cursor: base64url of a small JSON value, checked against `shape` on the way in. */
export function cursorCodec<T>(shape: z.ZodType<T>) {
  return {
    encode: (value: T): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url'),
    schema: z.string().transform((text, ctx): T => {
      try {
        const parsed = shape.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
        if (parsed.success) return parsed.data;
      } catch {
        // fall through to the issue below
      }
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API handed out' });
      return z.NEVER;
    }),
  };
}
