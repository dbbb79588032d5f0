// Request validation for the CRM routes: zod parses params, query and body where they enter, and
// the first problem answers 400 naming the field, e.g. {error, message: 'status: …', field: 'status'}.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

function fieldOf(issue: z.core.$ZodIssue): string | undefined {
  // An unknown key is reported on the object; the key itself is the field to name.
  if (issue.code === 'unrecognized_keys') return issue.keys[0];
  return issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
}

/** The parsed value, or undefined after answering 400 (the handler then returns the reply). */
export function parseOrReply<S extends z.ZodType>(
  schema: S,
  value: unknown,
  reply: FastifyReply,
): z.output<S> | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && fieldOf(issue);
  const message = issue?.code === 'unrecognized_keys' ? 'is not a field of this resource' : issue?.message;
  void reply.code(400).send({
    error: 'BAD_REQUEST',
    message: `${field ?? 'request'}: ${message ?? 'is invalid'}`,
    ...(field ? { field } : {}),
  });
  return undefined;
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
