// The routing interface: who should take a caller. A route is either ring groups of directory
// agents (each group rung at once, in order) or the reason nobody can, with what to tell the caller.
// DirectoryRouter (directory-router.ts) implements it over the store.
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

/** Where to send a caller, as the current transfer (call-actions) takes it. */
export type TransferTarget =
  { kind: 'dial'; number: string; label: string } | { kind: 'voicemail'; reason: string };

/**
 * The route as the single-number transfer understands it (the first candidate), until the
 * transfer rings the groups itself.
 */
export function toTransferTarget(route: RouteResult): TransferTarget {
  const first = route.kind === 'ring' ? route.groups[0]?.[0] : undefined;
  if (route.kind === 'none' || !first) {
    return {
      kind: 'voicemail',
      reason: route.kind === 'none' ? `${route.reason}: ${route.detail}` : 'no candidates',
    };
  }
  return { kind: 'dial', number: first.phone, label: `${first.name} (${route.department})` };
}
