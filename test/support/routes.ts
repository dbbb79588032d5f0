// Route results for tests whose router is a stub: one agent to ring, or nobody and why.
import type { NoRouteReason, RouteResult } from '../../src/routing/router.js';

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
