// The call status order that keeps a call from moving backwards when Twilio's callbacks arrive
// late, twice or out of order. Pure: no I/O.
import { TERMINAL_STATUSES } from './store.js';
import type { CallStatus } from './store.js';

const RANK: Record<CallStatus, number> = {
  queued: 0,
  initiated: 1,
  ringing: 2,
  'in-progress': 3,
  completed: 4,
  busy: 4,
  failed: 4,
  'no-answer': 4,
  canceled: 4,
};

export const CALL_STATUSES: readonly CallStatus[] = Object.keys(RANK) as CallStatus[];

export function isCallStatus(value: unknown): value is CallStatus {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

export function isTerminal(status: CallStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * The statuses a call may be in for `next` to move it forward: strictly lower rank. Terminal
 * statuses share the top rank, so nothing (not even another terminal status) follows one.
 */
export function statusesBefore(next: CallStatus): CallStatus[] {
  return CALL_STATUSES.filter((s) => RANK[s] < RANK[next]);
}

export const NON_TERMINAL_STATUSES: readonly CallStatus[] = CALL_STATUSES.filter((s) => !isTerminal(s));
