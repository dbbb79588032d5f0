// Free-text matching the same way on both dialects: a case-insensitive LIKE with the user's
// wildcards escaped, and phone numbers matched whether typed as E.164 or as a local 05x number.
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type { StoreDialect } from '../schema.js';

/** `%text%` with LIKE's own wildcards (and the escape character) taken literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `expr LIKE pattern`, case-insensitive: PostgreSQL's ILIKE, SQLite's LIKE (ASCII case-folding). */
export function likeMatch(
  dialect: StoreDialect,
  expr: RawBuilder<unknown>,
  pattern: string,
): RawBuilder<boolean> {
  const op = sql.raw(dialect === 'postgres' ? 'ilike' : 'like');
  return sql<boolean>`${expr} ${op} ${pattern} escape '\\'`;
}

/** Digits-only patterns a stored E.164 number contains when the search text is a phone number. */
export function phonePatterns(text: string): string[] {
  if (!/^[\d\s\-+().]+$/.test(text)) return [];
  const digits = text.replace(/\D/g, '');
  if (digits.length < 3) return [];
  const patterns = [digits];
  // Israeli trunk prefix: 050-123-4567 is +972501234567; 00 is the international prefix.
  if (digits.startsWith('00')) patterns.push(digits.slice(2));
  else if (digits.startsWith('0')) patterns.push(`972${digits.slice(1)}`);
  return patterns.map((d) => `%${d}%`);
}

/**
 * OR of LIKE matches of the text over every column given, phone-number matches over `phones`,
 * and whatever `extra` builds from the pattern (EXISTS over a child table).
 */
export function textCondition(
  dialect: StoreDialect,
  text: string,
  columns: RawBuilder<unknown>[],
  phones: RawBuilder<unknown>[],
  extra: (pattern: string) => RawBuilder<boolean>[] = () => [],
): RawBuilder<boolean> {
  const pattern = likePattern(text);
  const parts = [...columns.map((c) => likeMatch(dialect, c, pattern)), ...extra(pattern)];
  for (const p of phonePatterns(text))
    for (const column of phones) parts.push(sql<boolean>`${column} like ${p}`);
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
}
