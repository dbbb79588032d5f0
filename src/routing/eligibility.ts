// Who may take a call now, and why not: the stored directory compiled for routing (hours parsed,
// holidays as sets) and the checks in the router's order — department, skill/language, department
// hours, agent hours, live status, free lines. Pure: the caller brings the time and the loads.
import type {
  AgentLoad,
  DepartmentDefinition,
  StoredAgent,
  StoredDirectory,
} from '../store/directory-store.js';
import {
  ALWAYS_OPEN,
  compileHours,
  describeHours,
  openState,
  type LocalTime,
  type OpenState,
  type WeeklyHours,
} from './hours.js';

export interface RoutingDepartment extends DepartmentDefinition {
  weekly: WeeklyHours;
  holidays: ReadonlySet<string>;
}

export interface RoutingAgent extends StoredAgent {
  /** null: no narrowing of the departments' hours. */
  weekly: WeeklyHours | null;
}

export interface RoutingDirectory {
  timezone: string;
  /** In the directory's order: the first is the default department. */
  departments: RoutingDepartment[];
  agents: RoutingAgent[];
  /** Stored hours that no longer compile (edited outside the schema): treated as closed. */
  problems: string[];
}

/** Agents have no holidays of their own: their departments' close them. */
const NO_HOLIDAYS: ReadonlySet<string> = new Set();
const CLOSED: WeeklyHours = { always: false, days: [[], [], [], [], [], [], []] };

function compiled(
  spec: Record<string, unknown> | null,
  what: string,
  problems: string[],
): WeeklyHours | null {
  if (spec === null) return null;
  const result = compileHours(spec);
  if (result.ok) return result.hours;
  problems.push(`${what}: ${result.issues.map((i) => `${i.key || '(hours)'} ${i.message}`).join('; ')}`);
  return CLOSED;
}

export function compileDirectory(stored: StoredDirectory): RoutingDirectory {
  const problems: string[] = [];
  return {
    timezone: stored.timezone,
    departments: stored.departments.map((d) => ({
      ...d,
      weekly: compiled(d.hours, `departments.${d.id}.hours`, problems) ?? ALWAYS_OPEN,
      holidays: new Set(d.closed),
    })),
    agents: stored.agents.map((a) => ({ ...a, weekly: compiled(a.hours, `agents ${a.id}.hours`, problems) })),
    problems,
  };
}

export interface RouteFilter {
  skill?: string | undefined;
  language?: string | undefined;
}

/** The check an agent failed, in the router's order (later stages mean the agent got further). */
export type Stage =
  'department' | 'skill' | 'language' | 'department-hours' | 'agent-hours' | 'status' | 'busy';

export interface Rejection {
  stage: Stage;
  /** For people: `away`, `outside their hours (sun-thu 10:00-16:00)`, `busy (1 of 1 calls)`. */
  why: string;
  /** For department-hours: whether it is a holiday or outside the hours. */
  open?: Exclude<OpenState, 'open'>;
}

export function departmentState(dept: RoutingDepartment, lt: LocalTime): OpenState {
  return openState(dept.weekly, dept.holidays, lt);
}

export function departmentClosedWhy(
  dept: RoutingDepartment,
  state: Exclude<OpenState, 'open'>,
  lt: LocalTime,
) {
  return state === 'holiday'
    ? `${dept.id} is closed today (holiday ${lt.date})`
    : `${dept.id} is closed now (hours ${describeHours(dept.hours)})`;
}

/** The first check the agent fails for this department, or null when the agent can take the call. */
export function rejection(
  agent: RoutingAgent,
  dept: RoutingDepartment,
  lt: LocalTime,
  load: AgentLoad | undefined,
  filter: RouteFilter = {},
): Rejection | null {
  if (!agent.departments.includes(dept.id)) return { stage: 'department', why: `not in ${dept.id}` };
  if (filter.skill && !agent.skills.includes(filter.skill))
    return { stage: 'skill', why: `no skill ${JSON.stringify(filter.skill)}` };
  if (filter.language && !agent.languages.includes(filter.language))
    return { stage: 'language', why: `does not speak ${JSON.stringify(filter.language)}` };
  const state = departmentState(dept, lt);
  if (state !== 'open')
    return { stage: 'department-hours', why: departmentClosedWhy(dept, state, lt), open: state };
  if (agent.weekly && openState(agent.weekly, NO_HOLIDAYS, lt) !== 'open')
    return { stage: 'agent-hours', why: `outside their hours (${describeHours(agent.hours)})` };
  if (agent.liveStatus !== 'available') return { stage: 'status', why: agent.liveStatus };
  const live = load?.live ?? 0;
  if (live >= agent.maxCalls) return { stage: 'busy', why: `busy (${live} of ${agent.maxCalls} calls)` };
  return null;
}

/**
 * Why the agent cannot take a call in any of their departments now, or null when they can (in at
 * least one). For `agents list` and the dashboard.
 */
export function whyNot(
  agent: RoutingAgent,
  dir: RoutingDirectory,
  lt: LocalTime,
  load: AgentLoad | undefined,
) {
  const reasons: string[] = [];
  for (const id of agent.departments) {
    const dept = dir.departments.find((d) => d.id === id);
    if (!dept) {
      reasons.push(`department ${id} does not exist`);
      continue;
    }
    const r = rejection(agent, dept, lt, load);
    if (r === null) return null;
    if (!reasons.includes(r.why)) reasons.push(r.why);
  }
  return reasons.length > 0 ? reasons.join('; ') : 'in no department';
}
