// The routing interfaces: who should take a caller — ring groups of directory agents (each group
// rung at once, in order) or the reason nobody can, with what to tell the caller — and the agents'
// lines a transfer holds while it rings. DirectoryRouter (directory-router.ts) implements both.
import type { RingStrategy } from '../store/directory-store.js';

export interface RouteRequest {
  callSid: string;
  from: string | null;
  /** A department the caller asked for (DTMF menu, intent, tool argument); absent = the first one. */
  department?: string;
  /** A person by id or by name from the directory — never a number. */
  person?: string;
  skill?: string;
  language?: string;
  /** `last`: ring first the agent who handled this caller last (sticky routing), if they can take it. */
  preferAgentOf?: 'last';
}

/** A directory agent to ring. */
export interface Candidate {
  agentId: string;
  name: string;
  /** E.164, sip:… or client:identity, as in the directory. */
  phone: string;
}

export type NoRouteReason =
  'after-hours' | 'holiday' | 'nobody-available' | 'all-busy' | 'unknown-department' | 'unknown-person';

export type RouteResult =
  | {
      kind: 'ring';
      department: string;
      strategy: RingStrategy;
      ringSeconds: number;
      /** Rung in order; the agents of one group at once (simultaneous: one group of all). */
      groups: Candidate[][];
      /** The caller's agent from a recent call rings first (groups[0]). */
      sticky: boolean;
      /** What to say when every group declines or does not answer. */
      noAnswerPrompt: string;
      reason?: never;
    }
  | {
      kind: 'none';
      reason: NoRouteReason;
      department?: string;
      /** The department's afterHoursPrompt (after-hours, holiday) or noAnswerPrompt, else a default. */
      prompt: string;
      /** For logs, the timeline and the model: what exactly stopped the route. */
      detail: string;
    };

export interface Router {
  route(request: RouteRequest): Promise<RouteResult>;
}

/** A route with people to ring. */
export type RingRoute = Extract<RouteResult, { kind: 'ring' }>;

/**
 * The lines of the agents a transfer rings, counted in the store so no agent is rung for more
 * calls than their maxCalls, on any instance.
 */
export interface AgentLines {
  /** Holds a line of each candidate before the group rings; returns the ones held. */
  claim(callSid: string, group: readonly Candidate[], ringSeconds: number): Promise<Candidate[]>;
  /** The agent accepted: their line stays held and the call records them. */
  answered(callSid: string, agentId: string): Promise<void>;
  /** A leg ended (one agent's) or the whole call did (no agentId); returns how many lines freed. */
  release(callSid: string, outcome: string, agentId?: string): Promise<number>;
}
