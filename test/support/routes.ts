// Route results for tests whose router is a stub: one agent to ring, or nobody and why; and the
// agent lines such a stub's transfers hold.
import type { AgentLines, NoRouteReason, RouteResult } from '../../src/routing/router.js';

export function ringOne(name: string, phone: string, department = 'sales'): RouteResult {
  return {
    kind: 'ring',
    department,
    strategy: 'sequential',
    ringSeconds: 20,
    groups: [[{ agentId: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), name, phone }]],
    sticky: false,
    noAnswerPrompt: 'nobody answered',
  };
}

export function nobody(reason: NoRouteReason, detail: string): RouteResult {
  return { kind: 'none', reason, prompt: 'leave a message', detail };
}

/**
 * Agent lines for a stub router whose agents are in no directory: every claim is granted, so a
 * transfer rings whom the stub named (the real lines are tested with the directory router).
 */
export const grantingLines: AgentLines = {
  claim: async (_callSid, group) => [...group],
  answered: async () => undefined,
  release: async () => 0,
};
