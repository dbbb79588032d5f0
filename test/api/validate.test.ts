// The shared zod input helper: the first wrong field is named (nested paths dotted), the part of
// the request is named when no field is, and parsed values come back typed and transformed.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from '../../src/api/errors.js';
import { idParams, usernameField } from '../../src/api/fields.js';
import { parseInput } from '../../src/api/validate.js';

function failure(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('parseInput', () => {
  const schema = z.object({
    name: z.string().min(2),
    filter: z.object({ tags: z.array(z.string()) }).optional(),
    limit: z.coerce.number().int().max(100).optional(),
  });

  it('returns the parsed, transformed value', () => {
    expect(parseInput(schema, { name: 'ab', limit: '25' }, 'query')).toEqual({ name: 'ab', limit: 25 });
    expect(parseInput(z.object({ u: usernameField }), { u: '  Dana ' }, 'body')).toEqual({ u: 'dana' });
    expect(parseInput(idParams, { id: '42' }, 'params')).toEqual({ id: 42 });
  });

  it('names the first wrong field, dotting nested paths', () => {
    const short = failure(() => parseInput(schema, { name: 'a' }, 'body'));
    expect(short).toMatchObject({ code: 'BAD_REQUEST', status: 400, field: 'name' });
    expect(short.message).toMatch(/^name: /);
    const nested = failure(() => parseInput(schema, { name: 'ab', filter: { tags: ['x', 3] } }, 'body'));
    expect(nested.field).toBe('filter.tags.1');
    expect(nested.message).toMatch(/^filter\.tags\.1: /);
    expect(failure(() => parseInput(schema, { name: 'ab', limit: '5000' }, 'query')).field).toBe('limit');
    expect(failure(() => parseInput(idParams, { id: 'abc' }, 'params')).message).toBe('id: must be a number');
  });

  it('names the request part when the whole of it is wrong', () => {
    const missing = failure(() => parseInput(schema, undefined, 'body'));
    expect(missing.field).toBe('body');
    expect(missing.message).toMatch(/^body: /);
    expect(failure(() => parseInput(schema, 'text', 'query')).field).toBe('query');
  });
});
