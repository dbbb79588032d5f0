// The doctor's vocabulary: a check (number, title, run), what one run of it found (pass/warn/fail/skip,
// what it saw, and each problem with the Twilio error it causes and the fix), and the whole report.
import type { DoctorContext } from './context.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface TwilioError {
  code: number;
  title: string;
}

/** One problem a check found. `cause` is a stable identifier (documented in the README). */
export interface Finding {
  severity: 'warn' | 'fail';
  cause: string;
  /** What is wrong, in one or two sentences. */
  message: string;
  /** The error Twilio's debugger will show for it, when there is one. */
  twilio?: TwilioError;
  fix: string;
}

/** What a check's run hands back; the runner adds number, title, status and time. */
export interface CheckOutcome {
  /** One line: what the check saw. */
  summary: string;
  /** More of what it saw, one fact per line. */
  saw?: string[];
  findings?: Finding[];
  /** Set when the check could not run (an earlier check failed); the reason. */
  skipped?: string;
}

export interface Check {
  n: number;
  id: string;
  title: string;
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

export interface CheckResult {
  n: number;
  id: string;
  title: string;
  status: CheckStatus;
  summary: string;
  saw: string[];
  findings: Finding[];
  ms: number;
}

export interface DoctorReport {
  /** The public base URL asked about. */
  url: string;
  /** The signed incoming_call URL. */
  webhookUrl: string;
  /** The CallSid of this run's signed webhook and emulated call (fresh each run). */
  callSid: string;
  accountSid: string;
  startedAt: string;
  ms: number;
  /** No check failed (warnings allowed). */
  ok: boolean;
  counts: Record<CheckStatus, number>;
  checks: CheckResult[];
}

export function statusOf(outcome: CheckOutcome): CheckStatus {
  if (outcome.skipped !== undefined) return 'skip';
  const findings = outcome.findings ?? [];
  if (findings.some((f) => f.severity === 'fail')) return 'fail';
  if (findings.length > 0) return 'warn';
  return 'pass';
}
