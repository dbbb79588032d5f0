// Reads a call-flow file (JSON or YAML) and validates it; errors name the file and the step.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../config.js';
import { DEFAULT_FLOW } from './default-flow.js';
import { flowSchema, type Flow } from './flow-schema.js';

export async function loadFlow(file: string | undefined): Promise<Flow> {
  if (!file) return flowSchema.parse(DEFAULT_FLOW);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`FLOW_FILE: cannot read ${file}: ${(err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError([
      `FLOW_FILE: ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    ]);
  }
  const parsed = flowSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `FLOW_FILE ${file}: ${i.path.join('.') || '(top)'}: ${i.message}`),
    );
  }
  return parsed.data;
}

/** Every text the flow can say, for rendering them all before the first call. */
export function flowPrompts(flow: Flow): string[] {
  const texts = new Set<string>([flow.goodbyeNoInput]);
  for (const step of Object.values(flow.steps)) {
    texts.add(step.prompt);
    if (step.type === 'keypad' && step.invalidPrompt) texts.add(`${step.invalidPrompt} ${step.prompt}`);
    if (flow.repromptPrefix) texts.add(`${flow.repromptPrefix} ${step.prompt}`);
  }
  return [...texts];
}

/** The personal line for a returning caller with this first name, or undefined (none configured). */
export function returningLine(flow: Flow, firstName: string | null): string | undefined {
  if (!firstName || !flow.returningGreeting) return undefined;
  return flow.returningGreeting.replaceAll('{name}', firstName);
}
