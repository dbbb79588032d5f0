// The Kysely handle type the query modules share, and input checks they all apply.
import type { Kysely } from 'kysely';
import { AppError } from '../../errors.js';
import type { Database } from '../schema.js';

export type Db = Kysely<Database>;

/** Sids and keys are what rows are found by: an empty or absurd one is a caller's bug. */
export function requireKey(value: string, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new AppError('INTERNAL', `store: ${field} must be a non-empty string of at most 256 characters`);
  }
  return value;
}

/** A page size between 1 and max; anything else falls back to the default. */
export function clampLimit(limit: number | undefined, def: number, max: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return def;
  return Math.min(max, Math.max(1, Math.floor(limit)));
}
