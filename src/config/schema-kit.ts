// The zod building blocks every part of the environment schema uses: an empty variable counts as
// unset, and booleans, whole numbers and seconds get the same messages wherever they appear.
import { z } from 'zod';

export const empty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
export const opt = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(empty, schema.optional());
export const bool = (def: boolean) =>
  z.preprocess(
    empty,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? def : ['true', '1', 'yes'].includes(v))),
  );
/** A whole number in [min, max], or undefined when unset (the caller picks what unset means). */
export const intOrUnset = (min: number, max: number) =>
  z.preprocess(
    empty,
    z.coerce
      .number({ message: 'must be a whole number' })
      .int({ message: 'must be a whole number' })
      .min(min, { message: `must be at least ${min}` })
      .max(max, { message: `must be at most ${max}` })
      .optional(),
  );
export const int = (def: number, min: number, max: number) => intOrUnset(min, max).transform((v) => v ?? def);
/** Seconds, fractions allowed (tests use short ones), as whole milliseconds. */
export const seconds = (def: number, min: number, max: number) =>
  z.preprocess(
    empty,
    z.coerce
      .number({ message: 'must be a number of seconds' })
      .min(min, { message: `must be at least ${min}` })
      .max(max, { message: `must be at most ${max}` })
      .optional()
      .transform((v) => Math.round((v ?? def) * 1000)),
  );
