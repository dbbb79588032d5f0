// The agent directory's tables: departments and agents (replaced from a file in one transaction,
// or edited one by one) and live status. Agent legs are in agent-legs.ts.
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { fromJson, toMs } from '../rows.js';
import type { AgentsTable, DepartmentsTable } from '../schema.js';
import type {
  AgentDefinition,
  AgentStatus,
  DepartmentDefinition,
  DirectoryChanges,
  DirectorySnapshot,
  DirectorySource,
  StoredAgent,
  StoredDirectory,
} from '../directory-store.js';
import { requireKey } from './db.js';
import type { Db } from './db.js';

const META_KEY = 'directory';
export const DEFAULT_TIMEZONE = 'Asia/Jerusalem';

const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

function list(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

const hoursText = (hours: Record<string, unknown> | null) => (hours === null ? null : JSON.stringify(hours));
const hoursOf = (text: string | null) => (text === null ? null : fromJson(text));

function departmentRow(d: DepartmentDefinition, position: number, at: number) {
  const definition: DepartmentDefinition = {
    id: requireKey(d.id, 'department id'),
    strategy: d.strategy,
    ringSeconds: d.ringSeconds,
    hours: d.hours,
    closed: d.closed,
    afterHoursPrompt: d.afterHoursPrompt,
    noAnswerPrompt: d.noAnswerPrompt,
  };
  return {
    id: definition.id,
    position,
    strategy: d.strategy,
    ring_seconds: d.ringSeconds,
    hours: hoursText(d.hours),
    closed: JSON.stringify(d.closed),
    after_hours_prompt: d.afterHoursPrompt,
    no_answer_prompt: d.noAnswerPrompt,
    digest: digest(definition),
    updated_at: at,
  };
}

function agentRow(a: AgentDefinition, position: number, at: number) {
  const definition: AgentDefinition = {
    id: requireKey(a.id, 'agent id'),
    name: a.name,
    phone: a.phone,
    departments: a.departments,
    languages: a.languages,
    skills: a.skills,
    priority: a.priority,
    maxCalls: a.maxCalls,
    hours: a.hours,
    status: a.status,
  };
  return {
    id: definition.id,
    position,
    name: a.name,
    phone: a.phone,
    departments: JSON.stringify(a.departments),
    languages: JSON.stringify(a.languages),
    skills: JSON.stringify(a.skills),
    priority: a.priority,
    max_calls: a.maxCalls,
    hours: hoursText(a.hours),
    status: a.status,
    digest: digest(definition),
    updated_at: at,
  };
}

function toDepartment(r: Selectable<DepartmentsTable>): DepartmentDefinition {
  return {
    id: r.id,
    strategy: r.strategy as DepartmentDefinition['strategy'],
    ringSeconds: Number(r.ring_seconds),
    hours: hoursOf(r.hours),
    closed: list(r.closed),
    afterHoursPrompt: r.after_hours_prompt,
    noAnswerPrompt: r.no_answer_prompt,
  };
}

function toAgent(
  r: Selectable<AgentsTable>,
  presence?: { status: string; set_at: number | string },
): StoredAgent {
  const status = r.status as AgentStatus; // the column's CHECK admits only AgentStatus values
  return {
    id: r.id,
    name: r.name,
    phone: r.phone,
    departments: list(r.departments),
    languages: list(r.languages),
    skills: list(r.skills),
    priority: Number(r.priority),
    maxCalls: Number(r.max_calls),
    hours: hoursOf(r.hours),
    status,
    liveStatus: (presence?.status as AgentStatus | undefined) ?? status,
    statusSetAt: presence ? new Date(Number(presence.set_at)) : null,
  };
}

async function writeMeta(db: Db, meta: { source?: DirectorySource; timezone?: string }, at: number) {
  const current = await db
    .selectFrom('directory_meta')
    .selectAll()
    .where('key', '=', META_KEY)
    .executeTakeFirst();
  const row = {
    key: META_KEY,
    source: meta.source ?? (current?.source as DirectorySource | undefined) ?? 'store',
    timezone: meta.timezone ?? current?.timezone ?? DEFAULT_TIMEZONE,
    synced_at: at,
  };
  await db
    .insertInto('directory_meta')
    .values(row)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ source: row.source, timezone: row.timezone, synced_at: at }),
    )
    .execute();
}

export async function setDirectoryMeta(
  db: Db,
  meta: { source?: DirectorySource; timezone?: string },
  at: Date,
) {
  await writeMeta(db, meta, toMs(at, 'at'));
}

export function replaceDirectory(
  root: Db,
  snapshot: DirectorySnapshot,
  source: DirectorySource,
  at: Date,
): Promise<DirectoryChanges> {
  const now = toMs(at, 'at');
  return root.transaction().execute(async (db) => {
    const changes: DirectoryChanges = { added: [], changed: [], removed: [] };

    const oldDepartments = new Map(
      (await db.selectFrom('departments').select(['id', 'digest', 'position']).execute()).map((r) => [
        r.id,
        r,
      ]),
    );
    for (const [i, d] of snapshot.departments.entries()) {
      const row = departmentRow(d, i, now);
      const old = oldDepartments.get(row.id);
      oldDepartments.delete(row.id);
      if (old && old.digest === row.digest && Number(old.position) === i) continue;
      await db
        .insertInto('departments')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    }
    if (oldDepartments.size > 0)
      await db
        .deleteFrom('departments')
        .where('id', 'in', [...oldDepartments.keys()])
        .execute();

    const oldAgents = new Map(
      (await db.selectFrom('agents').select(['id', 'digest', 'position']).execute()).map((r) => [r.id, r]),
    );
    for (const [i, a] of snapshot.agents.entries()) {
      const row = agentRow(a, i, now);
      const old = oldAgents.get(row.id);
      oldAgents.delete(row.id);
      if (old && old.digest === row.digest && Number(old.position) === i) continue;
      if (!old) changes.added.push(row.id);
      else if (old.digest !== row.digest) changes.changed.push(row.id);
      await db
        .insertInto('agents')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    }
    changes.removed.push(...oldAgents.keys());
    if (changes.removed.length > 0)
      await db.deleteFrom('agents').where('id', 'in', changes.removed).execute();
    // A changed definition is the file speaking: its status applies again.
    const reset = [...changes.added, ...changes.changed, ...changes.removed];
    if (reset.length > 0) await db.deleteFrom('agent_presence').where('agent_id', 'in', reset).execute();

    await writeMeta(db, { source, timezone: snapshot.timezone }, now);
    return changes;
  });
}

export async function getDirectory(db: Db): Promise<StoredDirectory> {
  const [meta, departments, agents, presence] = await Promise.all([
    db.selectFrom('directory_meta').selectAll().where('key', '=', META_KEY).executeTakeFirst(),
    db.selectFrom('departments').selectAll().orderBy('position').orderBy('id').execute(),
    db.selectFrom('agents').selectAll().orderBy('position').orderBy('id').execute(),
    db.selectFrom('agent_presence').selectAll().execute(),
  ]);
  const live = new Map(presence.map((p) => [p.agent_id, p]));
  return {
    source: (meta?.source as DirectorySource | undefined) ?? null,
    timezone: meta?.timezone ?? DEFAULT_TIMEZONE,
    syncedAt: meta ? new Date(Number(meta.synced_at)) : null,
    departments: departments.map(toDepartment),
    agents: agents.map((a) => toAgent(a, live.get(a.id))),
  };
}

async function nextPosition(db: Db, table: 'departments' | 'agents'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max('position').as('max'))
    .executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

export async function upsertDepartment(db: Db, department: DepartmentDefinition, at: Date): Promise<void> {
  const old = await db
    .selectFrom('departments')
    .select('position')
    .where('id', '=', department.id)
    .executeTakeFirst();
  const row = departmentRow(
    department,
    old ? Number(old.position) : await nextPosition(db, 'departments'),
    toMs(at, 'at'),
  );
  await db
    .insertInto('departments')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
}

export async function upsertAgent(db: Db, agent: AgentDefinition, at: Date): Promise<void> {
  const old = await db
    .selectFrom('agents')
    .select(['position', 'digest'])
    .where('id', '=', agent.id)
    .executeTakeFirst();
  const row = agentRow(agent, old ? Number(old.position) : await nextPosition(db, 'agents'), toMs(at, 'at'));
  await db
    .insertInto('agents')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
  if (old?.digest !== row.digest)
    await db.deleteFrom('agent_presence').where('agent_id', '=', row.id).execute();
}

export async function deleteDepartment(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('departments').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteAgent(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('agents').where('id', '=', id).executeTakeFirst();
  await db.deleteFrom('agent_presence').where('agent_id', '=', id).execute();
  return Number(result.numDeletedRows) > 0;
}

export async function setAgentStatus(
  db: Db,
  agentId: string,
  status: AgentStatus,
  at: Date,
): Promise<boolean> {
  const setAt = toMs(at, 'at');
  const known = await db.selectFrom('agents').select('id').where('id', '=', agentId).executeTakeFirst();
  if (!known) return false;
  await db
    .insertInto('agent_presence')
    .values({ agent_id: agentId, status, set_at: setAt })
    .onConflict((oc) => oc.column('agent_id').doUpdateSet({ status, set_at: setAt }))
    .execute();
  return true;
}
