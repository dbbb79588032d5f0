// The directory as people read it (the CLI's `agents list`, the API's GET /agents, the dashboard's
// Agents page): each department open or not now, each agent with their live status, load and
// whether they can take a call right now — or, in words, why not.
import type {
  AgentDefinition,
  AgentStatus,
  DirectorySource,
  DirectoryStore,
} from '../store/directory-store.js';
import { DirectoryRouter } from './directory-router.js';
import { departmentState } from './eligibility.js';
import { describeHours, type LocalTime } from './hours.js';

export interface DepartmentView {
  id: string;
  strategy: string;
  ringSeconds: number;
  /** The hours spec as written; null = always open. */
  hours: Record<string, unknown> | null;
  /** `sun-thu 09:00-18:00, fri 09:00-13:00` or `always`. */
  hoursText: string;
  closed: string[];
  /** open, closed (outside hours) or holiday, right now. */
  now: string;
}

/** An agent's definition (the AGENTS_FILE entry's fields), and how they stand right now. */
export interface AgentView extends Omit<AgentDefinition, 'status'> {
  hoursText: string;
  /** The status routing uses now: the live one set through the CLI/API, else the definition's. */
  status: AgentStatus;
  /** The definition's own status (the file's or the store's). */
  definedStatus: AgentStatus;
  statusSetAt: string | null;
  liveCalls: number;
  eligibleNow: boolean;
  /** Why the agent cannot take a call now; null when they can. */
  whyNot: string | null;
}

export interface DirectoryView {
  /** file: AGENTS_FILE manages it; store: managed here; null: nothing configured yet. */
  source: DirectorySource | null;
  timezone: string;
  localTime: LocalTime;
  departments: DepartmentView[];
  agents: AgentView[];
}

export async function describeDirectory(store: DirectoryStore, now?: () => Date): Promise<DirectoryView> {
  const stored = await store.getDirectory();
  const { directory, agents, localTime } = await new DirectoryRouter({
    store,
    ...(now ? { now } : {}),
  }).explain();
  return {
    source: stored.source,
    timezone: directory.timezone,
    localTime,
    departments: directory.departments.map((d) => ({
      id: d.id,
      strategy: d.strategy,
      ringSeconds: d.ringSeconds,
      hours: d.hours,
      hoursText: describeHours(d.hours),
      closed: d.closed,
      now: departmentState(d, localTime),
    })),
    agents: agents.map(({ agent, load, whyNot }) => ({
      id: agent.id,
      name: agent.name,
      phone: agent.phone,
      departments: agent.departments,
      languages: agent.languages,
      skills: agent.skills,
      priority: agent.priority,
      maxCalls: agent.maxCalls,
      hours: agent.hours,
      hoursText: describeHours(agent.hours),
      status: agent.liveStatus,
      definedStatus: agent.status,
      statusSetAt: agent.statusSetAt?.toISOString() ?? null,
      liveCalls: load?.live ?? 0,
      eligibleNow: whyNot === null,
      whyNot,
    })),
  };
}
