// An agent's steps on the call's timeline (e.g. idle-reprompt, idle-hangup): written in the
// background, and a failing store costs the entry, never the call.
import type { Logger } from 'pino';
import type { AgentStore } from './agent.js';

export function recordAgentStep(
  store: Pick<AgentStore, 'addCallEvent'>,
  log: Logger,
  step: { callSid: string; name: string; detail: Record<string, unknown>; at: Date },
): void {
  store
    .addCallEvent({ callSid: step.callSid, kind: 'agent', name: step.name, detail: step.detail, at: step.at })
    .catch((err: unknown) => log.warn({ err, name: step.name }, 'STORE_FAILED: addCallEvent'));
}
