// The agent locator's router over the store's directory: resolves the department or person,
// applies eligibility in order (department/skill/language → hours → status and free lines →
// sticky → strategy) and explains a 'none'. Also the leg bookkeeping the transfer uses: claim an
// agent's line before ringing, mark the answer, release when the leg ends.
import type { Logger } from 'pino';
import type { AgentLoad, DirectoryStore } from '../store/directory-store.js';
import { contactPhoneFor } from '../store/phone.js';
import { normaliseName } from './directory-schema.js';
import {
  compileDirectory,
  departmentClosedWhy,
  departmentState,
  rejection,
  whyNot,
  type Rejection,
  type RoutingAgent,
  type RoutingDepartment,
  type RoutingDirectory,
  type Stage,
} from './eligibility.js';
import { localTime, startOfLocalDay, type LocalTime } from './hours.js';
import type { AgentLines, Candidate, NoRouteReason, RouteRequest, RouteResult, Router } from './router.js';
import { ringGroups } from './strategies.js';

export const DEFAULT_AFTER_HOURS_PROMPT = 'המשרד סגור כעת. השאירו הודעה אחרי הצליל ונחזור אליכם.';
export const DEFAULT_NO_ANSWER_PROMPT = 'כל הנציגים עסוקים כרגע. השאירו הודעה אחרי הצליל ונחזור אליכם.';
const STICKY_DAYS = 30;
/** A claimed line outlives its ring by this much (the whisper), then frees itself if forgotten. */
const CLAIM_MARGIN_MS = 60_000;

export interface DirectoryRouterOptions {
  store: DirectoryStore;
  log?: Logger;
  now?: () => Date;
}

export interface AgentExplanation {
  agent: RoutingAgent;
  load: AgentLoad | undefined;
  /** null: can take a call now (in at least one department). */
  whyNot: string | null;
}

const ORDER: Stage[] = [
  'department',
  'skill',
  'language',
  'department-hours',
  'agent-hours',
  'status',
  'busy',
];

const toCandidate = (a: RoutingAgent): Candidate => ({ agentId: a.id, name: a.name, phone: a.phone });

export class DirectoryRouter implements Router, AgentLines {
  private readonly store: DirectoryStore;
  private readonly log: Logger | undefined;
  private readonly now: () => Date;

  constructor(opts: DirectoryRouterOptions) {
    this.store = opts.store;
    this.log = opts.log;
    this.now = opts.now ?? (() => new Date());
  }

  async route(request: RouteRequest): Promise<RouteResult> {
    const result = await this.decide(request);
    const log = this.log?.child({ callSid: request.callSid });
    if (result.kind === 'ring')
      log?.info(
        {
          department: result.department,
          strategy: result.strategy,
          groups: result.groups.map((g) => g.map((c) => c.agentId)),
        },
        'ROUTE',
      );
    // The detail of an unknown person quotes what the caller said: not for the log.
    else
      log?.info(
        {
          department: result.department,
          reason: result.reason,
          ...(result.reason === 'unknown-person' ? {} : { detail: result.detail }),
        },
        'ROUTE_NONE',
      );
    return result;
  }

  private async load(at: Date) {
    const dir = compileDirectory(await this.store.getDirectory());
    if (dir.problems.length > 0) this.log?.error({ problems: dir.problems }, 'DIRECTORY_HOURS_INVALID');
    const loads = await this.store.agentLoads({ answeredSince: startOfLocalDay(at, dir.timezone), at });
    return { dir, loads, lt: localTime(at, dir.timezone) };
  }

  private async decide(request: RouteRequest): Promise<RouteResult> {
    const at = this.now();
    const { dir, loads, lt } = await this.load(at);
    const none = (reason: NoRouteReason, detail: string, dept?: RoutingDepartment): RouteResult => ({
      kind: 'none',
      reason,
      ...(dept ? { department: dept.id } : {}),
      prompt:
        reason === 'after-hours' || reason === 'holiday'
          ? (dept?.afterHoursPrompt ?? DEFAULT_AFTER_HOURS_PROMPT)
          : (dept?.noAnswerPrompt ?? DEFAULT_NO_ANSWER_PROMPT),
      detail,
    });
    if (dir.agents.length === 0) return none('nobody-available', 'the directory has no agents');

    const filter = { skill: norm(request.skill), language: norm(request.language) };
    let dept: RoutingDepartment | undefined;
    let pool: RoutingAgent[];
    if (request.person !== undefined) {
      const person = findPerson(dir, request.person);
      if (!person)
        return none('unknown-person', `nobody called ${JSON.stringify(request.person)} in the directory`);
      dept = personDepartment(dir, person, norm(request.department), lt);
      if (!dept) return none('nobody-available', `${person.id} is in no department`);
      pool = [person];
    } else {
      const wanted = norm(request.department);
      dept = wanted === undefined ? dir.departments[0] : dir.departments.find((d) => d.id === wanted);
      if (!dept) {
        const known = dir.departments.map((d) => d.id).join(', ') || 'none';
        return none(
          'unknown-department',
          `no department ${JSON.stringify(request.department ?? '')} (known: ${known})`,
        );
      }
      pool = dir.agents;
    }

    const state = departmentState(dept, lt);
    if (state !== 'open') return none(state, departmentClosedWhy(dept, state, lt), dept);

    const eligible: RoutingAgent[] = [];
    const rejected: { agent: RoutingAgent; r: Rejection }[] = [];
    for (const agent of pool) {
      const r = rejection(agent, dept, lt, loads.get(agent.id), filter);
      if (r === null) eligible.push(agent);
      else if (r.stage !== 'department' || request.person !== undefined) rejected.push({ agent, r });
    }
    if (eligible.length === 0) {
      const furthest = rejected.reduce<Stage | undefined>(
        (best, { r }) =>
          best === undefined || ORDER.indexOf(r.stage) > ORDER.indexOf(best) ? r.stage : best,
        undefined,
      );
      const reason: NoRouteReason =
        furthest === 'busy' ? 'all-busy' : furthest === 'agent-hours' ? 'after-hours' : 'nobody-available';
      const detail =
        rejected.map(({ agent, r }) => `${agent.id}: ${r.why}`).join('; ') || `nobody in ${dept.id}`;
      return none(reason, detail, dept);
    }

    const phone = contactPhoneFor(request.from);
    const since = new Date(at.getTime() - STICKY_DAYS * 86_400_000);
    const stickyId = phone === null ? undefined : await this.store.lastAgentForPhone(phone, since);
    const rankable = eligible.map((a) => ({
      ...a,
      lastOfferedAt: loads.get(a.id)?.lastOfferedAt ?? null,
      answeredToday: loads.get(a.id)?.answered ?? 0,
    }));
    const groups = ringGroups(dept.strategy, rankable, stickyId);
    return {
      kind: 'ring',
      department: dept.id,
      strategy: dept.strategy,
      ringSeconds: dept.ringSeconds,
      groups: groups.map((g) => g.map(toCandidate)),
      sticky: stickyId !== undefined && groups[0]?.[0]?.id === stickyId,
      noAnswerPrompt: dept.noAnswerPrompt ?? DEFAULT_NO_ANSWER_PROMPT,
    };
  }

  /** Every agent with whether they can take a call now, and why not. */
  async explain(): Promise<{
    directory: RoutingDirectory;
    agents: AgentExplanation[];
    localTime: LocalTime;
  }> {
    const { dir, loads, lt } = await this.load(this.now());
    const agents = dir.agents.map((agent) => {
      const load = loads.get(agent.id);
      return { agent, load, whyNot: whyNot(agent, dir, lt, load) };
    });
    return { directory: dir, agents, localTime: lt };
  }

  /** Why one agent cannot take a call now (null: they can); undefined for an unknown agent. */
  async whyNot(agentId: string): Promise<string | null | undefined> {
    const { agents } = await this.explain();
    return agents.find((a) => a.agent.id === agentId)?.whyNot;
  }

  /**
   * Claims a line of each candidate of a group before it rings; returns those claimed (an agent
   * another call took meanwhile, or who went away, is left out). Claiming is the offer that
   * round-robin counts.
   */
  async claim(callSid: string, group: readonly Candidate[], ringSeconds: number): Promise<Candidate[]> {
    const at = this.now();
    const dir = await this.store.getDirectory();
    const claimed: Candidate[] = [];
    for (const c of group) {
      const agent = dir.agents.find((a) => a.id === c.agentId);
      if (!agent || agent.liveStatus !== 'available') continue;
      const holdMs = ringSeconds * 1000 + CLAIM_MARGIN_MS;
      if (
        await this.store.reserveAgent({ agentId: c.agentId, callSid, maxCalls: agent.maxCalls, at, holdMs })
      )
        claimed.push(c);
    }
    return claimed;
  }

  /** The agent accepted: their line stays held and the call records them (sticky routing reads it). */
  async answered(callSid: string, agentId: string): Promise<void> {
    await this.store.markAgentAnswered(callSid, agentId, this.now());
  }

  /** A leg ended (declined, no answer, hung up) or, without agentId, the whole call did. */
  async release(callSid: string, outcome: string, agentId?: string): Promise<number> {
    return this.store.releaseAgent(callSid, { outcome, at: this.now(), ...(agentId ? { agentId } : {}) });
  }
}

const norm = (s: string | undefined): string | undefined => {
  const t = s?.trim().toLowerCase();
  return t ? t : undefined;
};

function findPerson(dir: RoutingDirectory, person: string): RoutingAgent | undefined {
  const wanted = normaliseName(person);
  return dir.agents.find((a) => a.id === wanted) ?? dir.agents.find((a) => normaliseName(a.name) === wanted);
}

/** The department a person is reached through: the one asked for, else their first open one. */
function personDepartment(
  dir: RoutingDirectory,
  person: RoutingAgent,
  asked: string | undefined,
  lt: LocalTime,
) {
  const theirs = person.departments
    .map((id) => dir.departments.find((d) => d.id === id))
    .filter((d): d is RoutingDepartment => d !== undefined);
  return (
    theirs.find((d) => d.id === asked) ?? theirs.find((d) => departmentState(d, lt) === 'open') ?? theirs[0]
  );
}
