// The AGENTS_FILE shape (a public contract: field names are fixed) as a zod schema, and the
// validation that needs the whole file: agents name departments that exist, ids and names are
// unique. Every problem is reported as `<entry>.<field>: <what is wrong>`.
import { z } from 'zod';
import type { AgentDefinition, DepartmentDefinition, DirectorySnapshot } from '../store/directory-store.js';
import { compileHours, isValidTimeZone } from './hours.js';

export const DEFAULT_RING_SECONDS = 20;
export const DEFAULT_PRIORITY = 100;
const ID = /^[a-z0-9-]{1,64}$/;
const ID_MESSAGE = 'must be 1–64 of a-z, 0-9 and -';
const PHONE = /^(\+[1-9]\d{6,14}|sips?:[^\s@]+@[^\s@]+|client:[A-Za-z0-9_.@-]{1,128})$/;

const hoursSchema = z.record(z.string(), z.unknown()).superRefine((spec, ctx) => {
  const compiled = compileHours(spec);
  if (compiled.ok) return;
  for (const issue of compiled.issues)
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.key ? [issue.key] : [] });
});

const isDate = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
};

const prompt = z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters');
const words = (what: string) =>
  z.array(z.string().trim().min(1, `a ${what} must not be empty`).max(64).toLowerCase()).default([]);

export const departmentSchema = z.strictObject({
  strategy: z
    .enum(['sequential', 'round-robin', 'simultaneous', 'fewest-calls'], {
      message: 'must be sequential, round-robin, simultaneous or fewest-calls',
    })
    .default('sequential'),
  ringSeconds: z.number().int('must be a whole number').min(5).max(300).default(DEFAULT_RING_SECONDS),
  hours: hoursSchema.optional(),
  closed: z.array(z.string().refine(isDate, 'must be a date like 2026-09-22')).default([]),
  afterHoursPrompt: prompt.optional(),
  noAnswerPrompt: prompt.optional(),
});

export const agentSchema = z.strictObject({
  id: z.string().regex(ID, ID_MESSAGE),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  phone: z.string().trim().regex(PHONE, 'must be E.164, sip:… or client:…'),
  departments: z.array(z.string()).min(1, 'must name at least one department'),
  languages: words('language'),
  skills: words('skill'),
  priority: z.number().int('must be a whole number').min(0).max(10_000).default(DEFAULT_PRIORITY),
  maxCalls: z.number().int('must be a whole number').min(1).max(100).default(1),
  hours: hoursSchema.optional(),
  status: z
    .enum(['available', 'away', 'offline'], { message: 'must be available, away or offline' })
    .default('available'),
});

export const directorySchema = z.strictObject({
  timezone: z
    .string()
    .refine(isValidTimeZone, 'is not an IANA timezone (like Asia/Jerusalem)')
    .default('Asia/Jerusalem'),
  departments: z.record(z.string(), departmentSchema).default({}),
  agents: z.array(agentSchema).default([]),
});

export type DirectoryFile = z.output<typeof directorySchema>;
export type AgentInput = z.output<typeof agentSchema>;

/** Case, spacing and Unicode form do not matter when a caller (or the model) names a person. */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLocaleLowerCase();
}

export class DirectoryError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'DirectoryError';
  }
}

/** `agents[1] (id "dana").phone`, `departments.sales.hours.sun-thu`, `timezone`. */
function where(path: readonly PropertyKey[], raw: unknown): string {
  let out = '';
  for (const [i, key] of path.entries()) {
    if (typeof key === 'number') {
      out += `[${key}]`;
      if (i === 1 && path[0] === 'agents') {
        const id = (raw as { agents?: { id?: unknown }[] } | null)?.agents?.[key]?.id;
        if (typeof id === 'string') out += ` (id ${JSON.stringify(id)})`;
      }
    } else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(top)';
}

function crossCheck(file: DirectoryFile, raw: unknown): string[] {
  const problems: string[] = [];
  for (const id of Object.keys(file.departments))
    if (!ID.test(id)) problems.push(`departments.${id}: the department id ${ID_MESSAGE}`);
  const known = Object.keys(file.departments);
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  for (const [i, agent] of file.agents.entries()) {
    const at = (field: string) => where(['agents', i, field], raw);
    const sameId = ids.get(agent.id);
    if (sameId !== undefined) problems.push(`${at('id')}: duplicate of agents[${sameId}]`);
    else ids.set(agent.id, i);
    const sameName = names.get(normaliseName(agent.name));
    if (sameName !== undefined)
      problems.push(`${at('name')}: agents[${sameName}] has the same name; callers ask for people by name`);
    else names.set(normaliseName(agent.name), i);
    for (const [j, dept] of agent.departments.entries()) {
      if (!(dept in file.departments))
        problems.push(
          `${where(['agents', i, 'departments', j], raw)}: no department ${JSON.stringify(dept)} ` +
            `(known: ${known.join(', ') || 'none'})`,
        );
    }
  }
  return problems;
}

/** Validates a parsed file; throws DirectoryError listing every problem with its entry and field. */
export function parseDirectory(raw: unknown): DirectoryFile {
  const parsed = directorySchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new DirectoryError(
      parsed.error.issues.map((i) => {
        const missing = i.code === 'invalid_type' && i.message.endsWith('received undefined');
        return `${where(i.path, raw)}: ${missing ? 'is required' : i.message}`;
      }),
    );
  const problems = crossCheck(parsed.data, raw);
  if (problems.length > 0) throw new DirectoryError(problems);
  return parsed.data;
}

export function toDepartmentDefinition(
  id: string,
  d: DirectoryFile['departments'][string],
): DepartmentDefinition {
  return {
    id,
    strategy: d.strategy,
    ringSeconds: d.ringSeconds,
    hours: d.hours ?? null,
    closed: [...new Set(d.closed)].sort(),
    afterHoursPrompt: d.afterHoursPrompt ?? null,
    noAnswerPrompt: d.noAnswerPrompt ?? null,
  };
}

export function toAgentDefinition(a: AgentInput): AgentDefinition {
  return { ...a, hours: a.hours ?? null };
}

/** The validated file as the store's snapshot, in the file's order. */
export function toSnapshot(file: DirectoryFile): DirectorySnapshot {
  return {
    timezone: file.timezone,
    departments: Object.entries(file.departments).map(([id, d]) => toDepartmentDefinition(id, d)),
    agents: file.agents.map(toAgentDefinition),
  };
}
