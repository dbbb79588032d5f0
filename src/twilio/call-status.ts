// Twilio's CallStatus values, the one list behind the store's type and CHECK, the webhooks' parser
// and the emulator. Pure.
import { z } from 'zod';

/** The statuses a call may still move on from, in lifecycle order. */
export const NON_TERMINAL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress'] as const;
/** The statuses after which Twilio reports nothing more about the call. */
export const TERMINAL_STATUSES = ['completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
/** In lifecycle order, the terminal statuses last (the store's never-backwards order uses this). */
export const CALL_STATUSES = [...NON_TERMINAL_STATUSES, ...TERMINAL_STATUSES] as const;

export type CallStatus = (typeof CALL_STATUSES)[number];
export type TerminalCallStatus = (typeof TERMINAL_STATUSES)[number];

export const callStatusSchema = z.enum(CALL_STATUSES);

const KNOWN: ReadonlySet<string> = new Set(CALL_STATUSES);
const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_STATUSES);

export function isCallStatus(value: unknown): value is CallStatus {
  return typeof value === 'string' && KNOWN.has(value);
}

/** Takes any string, so code holding Twilio's raw parameter need not parse it first. */
export function isTerminalStatus(status: string): status is TerminalCallStatus {
  return TERMINAL.has(status);
}
