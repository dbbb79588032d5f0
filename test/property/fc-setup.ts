// Shared fast-check settings for test/property: FC_SEED=<n> replays a run (fast-check prints the
// seed and path of any failure), FC_RUNS=<factor> scales every property's run count (default 1).
import fc from 'fast-check';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const factor = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 1;

fc.configureGlobal(seed === undefined ? {} : { seed });

/** Run options for one property: `n` runs at the default scale. */
export function runs(n: number): { numRuns: number } {
  return { numRuns: Math.max(1, Math.round(n * factor)) };
}

/** Strings as a hostile peer sends them: any code unit, unicode, escapes' raw material. */
export const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', '"', '\\', '\u0000', '\ud800', '/../../etc/passwd', '__proto__', 'constructor', '{}'),
);

/** Occasionally very long: up to ~200 KB, built by repetition so generation stays fast. */
export const hugeText = fc
  .tuple(
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }),
    fc.integer({ min: 1_000, max: 50_000 }),
  )
  .map(([s, n]) => s.repeat(n));

export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];
