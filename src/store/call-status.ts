// The call status order that keeps a call from moving backwards when Twilio's callbacks arrive
// late, twice or out of order. Pure: no I/O.
import { CALL_STATUSES, NON_TERMINAL_STATUSES, isTerminalStatus } from '../twilio/call-status.js';
import type { CallStatus } from '../twilio/call-status.js';

/** Lifecycle position; every terminal status shares the top rank. */
function rank(status: CallStatus): number {
  return isTerminalStatus(status) ? NON_TERMINAL_STATUSES.length : CALL_STATUSES.indexOf(status);
}

/**
 * The statuses a call may be in for `next` to move it forward: strictly lower rank. Terminal
 * statuses share the top rank, so nothing (not even another terminal status) follows one.
 */
export function statusesBefore(next: CallStatus): CallStatus[] {
  return CALL_STATUSES.filter((s) => rank(s) < rank(next));
}
