// Unique Twilio-shaped ids and fixed instants for the store contract tests.
import { randomBytes } from 'node:crypto';

/** A fresh sid like Twilio's: two-letter prefix and 32 hex digits. */
export function sid(prefix: 'CA' | 'MZ' | 'RE' | 'LC' | 'AC' = 'CA'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** A fresh E.164 number in the Israeli mobile range, so contacts never collide across tests. */
export function phone(): string {
  return `+9725${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
}

const BASE = Date.UTC(2026, 10, 24, 9, 30, 0, 123);

/** An instant `ms` after a fixed base time (millisecond precision matters to the round-trip tests). */
export function at(ms = 0): Date {
  return new Date(BASE + ms);
}

/** Fisher–Yates with a seeded LCG so a failing order can be reproduced. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
