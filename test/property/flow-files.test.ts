// Property: a call-flow file — the default flow mutated (keys dropped, values replaced, unknown
// and prototype keys, dangling step references) or random text, as JSON or YAML — loads as a
// closed flow whose every reference names a step and whose fields make safe file names, or is
// refused with a ConfigError naming FLOW_FILE. Nothing else is thrown.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { pathInside } from '../../src/data-path.js';
import { DEFAULT_FLOW } from '../../src/agents/flow/default-flow.js';
import { loadFlow } from '../../src/agents/flow/load-flow.js';
import type { Flow } from '../../src/agents/flow/flow-schema.js';
import { PROTOTYPE_KEYS, anyText, runs } from './fc-setup.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-flow-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

function write(text: string, ext: 'json' | 'yaml'): string {
  const file = path.join(dir, `flow-${++fileNo}.${ext}`);
  writeFileSync(file, text);
  return file;
}

/** Every step a flow can move to: the start and each step's targets, all of them own keys. */
function checkClosed(flow: Flow): void {
  const has = (id: string | undefined) => id === undefined || Object.hasOwn(flow.steps, id);
  expect(has(flow.start)).toBe(true);
  for (const step of Object.values(flow.steps)) {
    if (step.type === 'menu') {
      for (const target of Object.values(step.options)) expect(has(target)).toBe(true);
      expect(has(step.noInput)).toBe(true);
    }
    if (step.type === 'question' || step.type === 'keypad') {
      expect(has(step.next)).toBe(true);
      // The answer clip's file stays where it belongs.
      expect(() =>
        pathInside('/data', 'calls', `CA${'0'.repeat(32)}`, `${step.field}-LC1.wav`),
      ).not.toThrow();
    }
    if (step.type === 'keypad') expect(step.minDigits).toBeLessThanOrEqual(step.maxDigits);
    if (step.type === 'transfer') expect(has(step.fallback)).toBe(true);
  }
}

async function loadsOrRefuses(text: string, ext: 'json' | 'yaml'): Promise<void> {
  const file = write(text, ext);
  try {
    checkClosed(await loadFlow(file));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.every((p) => p.startsWith('FLOW_FILE'))).toBe(true);
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const base = JSON.parse(JSON.stringify(DEFAULT_FLOW)) as Json;

function paths(value: Json, at: string[] = []): string[][] {
  if (!value || typeof value !== 'object') return [at];
  // Not value.map: an edit may have given this array an own `constructor`, which .map would call.
  const keys = Array.isArray(value)
    ? Array.from({ length: value.length }, (_v, i) => String(i))
    : Object.keys(value);
  return [at, ...keys.flatMap((k) => paths((value as Record<string, Json>)[k]!, [...at, k]))];
}

const stepIds = Object.keys(DEFAULT_FLOW.steps);
const replacement = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<Json>,
  anyText,
  fc.constantFrom<Json>(...stepIds, 'nowhere', 'toString', '../x', 'a/b', -1, 0, 33, 1e9, null, [], {}),
);

/** The default flow with 1–4 edits anywhere in it. */
const mutatedFlow = fc
  .array(fc.tuple(fc.nat(), fc.nat(3), replacement, fc.constantFrom(...PROTOTYPE_KEYS, 'extra')), {
    minLength: 1,
    maxLength: 4,
  })
  .map((edits) => {
    let flow = base;
    for (const [pick, kind, value, key] of edits) {
      const all = paths(flow).filter((p) => p.length > 0);
      const at = all[pick % all.length]!;
      flow = JSON.parse(JSON.stringify(flow)) as Json;
      let holder = flow as Record<string, Json>;
      for (const k of at.slice(0, -1)) holder = holder[k] as Record<string, Json>;
      const last = at.at(-1)!;
      if (kind === 0) delete holder[last];
      else if (kind === 1) holder[last] = value;
      else if (kind === 2 && holder[last] && typeof holder[last] === 'object')
        Object.defineProperty(holder[last], key, { value, enumerable: true });
      else holder[last] = JSON.stringify(holder[last]);
    }
    return flow;
  });

describe('loadFlow', () => {
  it('the default flow, mutated, as JSON and as YAML', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedFlow, fc.boolean(), async (flow, yaml) =>
        yaml ? loadsOrRefuses(toYaml(flow), 'yaml') : loadsOrRefuses(JSON.stringify(flow), 'json'),
      ),
      runs(300),
    );
  });

  it('random text as either format', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyText,
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        fc.constantFrom('json', 'yaml') as fc.Arbitrary<'json' | 'yaml'>,
        loadsOrRefuses,
      ),
      runs(200),
    );
  });

  it('refuses a field that is not one plain file name', async () => {
    for (const bad of ['../../etc/x', 'a/b', 'back\\slash', 'nul\u0000']) {
      const flow = JSON.parse(JSON.stringify(DEFAULT_FLOW)) as { steps: { ask_name: { field: string } } };
      flow.steps.ask_name.field = bad;
      await expect(loadFlow(write(JSON.stringify(flow), 'json'))).rejects.toThrow(/field name/);
    }
  });
});
