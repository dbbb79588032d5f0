// The agent directory's part of the Store: departments and agents (synced from AGENTS_FILE or
// managed here), live agent status, agent legs (the atomic per-agent call reservations, offers and
// answers) and the call's agent. Validation of definitions is routing's job; these are records.

export type AgentStatus = 'available' | 'away' | 'offline';
export const AGENT_STATUSES: readonly AgentStatus[] = ['available', 'away', 'offline'];

export type RingStrategy = 'sequential' | 'round-robin' | 'simultaneous' | 'fewest-calls';

/** Where the directory comes from: AGENTS_FILE (read-only elsewhere) or the store itself. */
export type DirectorySource = 'file' | 'store';

export interface DepartmentDefinition {
  id: string;
  strategy: RingStrategy;
  ringSeconds: number;
  /** The hours spec as written (`{ "sun-thu": "09:00-18:00" }`); null = always open. */
  hours: Record<string, unknown> | null;
  /** Holidays, local dates YYYY-MM-DD. */
  closed: string[];
  afterHoursPrompt: string | null;
  noAnswerPrompt: string | null;
}

export interface AgentDefinition {
  id: string;
  name: string;
  /** E.164, sip:… or client:identity. */
  phone: string;
  departments: string[];
  languages: string[];
  skills: string[];
  /** Lower rings first. */
  priority: number;
  maxCalls: number;
  /** Narrows the departments' hours; null = no narrowing. */
  hours: Record<string, unknown> | null;
  /** The definition's status: the default until a live status is set. */
  status: AgentStatus;
}

export interface DirectorySnapshot {
  timezone: string;
  /** In the file's order (the first is the default department). */
  departments: DepartmentDefinition[];
  agents: AgentDefinition[];
}

export interface StoredAgent extends AgentDefinition {
  /** The status routing uses: the one set through CLI/API, else the definition's. */
  liveStatus: AgentStatus;
  /** When the live status was set; null while the definition's status applies. */
  statusSetAt: Date | null;
}

export interface StoredDirectory {
  /** null: no directory was ever saved (nothing configured). */
  source: DirectorySource | null;
  timezone: string;
  syncedAt: Date | null;
  departments: DepartmentDefinition[];
  agents: StoredAgent[];
}

export interface DirectoryChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

export interface ReserveAgentInput {
  agentId: string;
  callSid: string;
  maxCalls: number;
  at: Date;
  /** A reservation nobody answers or releases frees itself after this long (a crashed instance). */
  holdMs: number;
}

export interface AgentLeg {
  id: number;
  agentId: string;
  callSid: string;
  reservedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  outcome: string | null;
}

/** What the strategies need to know about an agent's calls. */
export interface AgentLoad {
  /** Live (unexpired, unreleased) legs now. */
  live: number;
  lastOfferedAt: Date | null;
  /** Legs answered since the `since` asked for (today, in the directory's timezone). */
  answered: number;
}

export interface DirectoryStore {
  /**
   * Makes the stored directory exactly the snapshot (one transaction) and records its source.
   * Idempotent: syncing the same file again changes nothing. An agent whose definition changed
   * (or that is gone) loses its live status, so the file's status applies again.
   */
  replaceDirectory(snapshot: DirectorySnapshot, source: DirectorySource, at: Date): Promise<DirectoryChanges>;
  getDirectory(): Promise<StoredDirectory>;
  /** Changes the recorded source (an AGENTS_FILE removed: the store takes over) or the timezone. */
  setDirectoryMeta(meta: { source?: DirectorySource; timezone?: string }, at: Date): Promise<void>;
  /** Store-managed directory edits; a changed agent loses its live status like a file sync. */
  upsertDepartment(department: DepartmentDefinition, at: Date): Promise<void>;
  deleteDepartment(id: string): Promise<boolean>;
  upsertAgent(agent: AgentDefinition, at: Date): Promise<void>;
  deleteAgent(id: string): Promise<boolean>;
  /** Sets an agent's live status; false for an unknown agent. */
  setAgentStatus(agentId: string, status: AgentStatus, at: Date): Promise<boolean>;

  /**
   * Claims one of the agent's `maxCalls` lines for the call, atomically across instances: a
   * conditional insert per line against a unique live key. True when the call holds a line (also
   * when it already did); false when every line is taken.
   */
  reserveAgent(input: ReserveAgentInput): Promise<boolean>;
  /** Ends the call's live legs (one agent's, or all); returns how many ended. */
  releaseAgent(callSid: string, opts: { agentId?: string; outcome: string; at: Date }): Promise<number>;
  /** The agent took the call: the leg is answered (held until released) and the call's agent set. */
  markAgentAnswered(callSid: string, agentId: string, at: Date): Promise<boolean>;
  /** Load per agent that has legs (agents without any are absent). */
  agentLoads(opts: { answeredSince: Date; at: Date }): Promise<Map<string, AgentLoad>>;
  listAgentLegs(callSid: string): Promise<AgentLeg[]>;
  getCallAgent(callSid: string): Promise<string | undefined>;
  /** Sticky routing: the agent of the contact's latest call since `since` that an agent took. */
  lastAgentForPhone(phone: string, since: Date): Promise<string | undefined>;
}
