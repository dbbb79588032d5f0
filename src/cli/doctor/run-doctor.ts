// Runs the doctor's eight checks in order against one public base URL and returns the report.
// Owns this run's emulator (closed at the end); a check that throws is reported, never rethrown.
import { newSid, TwilioEmulator } from '../../emulator/index.js';
import { parseTarget, type Target } from '../target.js';
import { DEFAULT_BUDGETS, type DoctorBudgets, type DoctorContext, type ProbeRecord } from './context.js';
import { statusOf, type Check, type CheckResult, type CheckStatus, type DoctorReport } from './types.js';
import { readyzCheck } from './checks/readyz.js';
import { incomingCallCheck } from './checks/incoming-call.js';
import { streamUrlCheck } from './checks/stream-url.js';
import { playFilesCheck } from './checks/play-files.js';
import { wsUpgradeCheck } from './checks/ws-upgrade.js';
import { tlsCheck } from './checks/tls.js';
import { emulatedCallCheck } from './checks/emulated-call.js';
import { signaturesCheck } from './checks/signatures.js';
import { voiceParams } from './twilio-facts.js';

export const CHECKS: readonly Check[] = [
  readyzCheck,
  incomingCallCheck,
  streamUrlCheck,
  playFilesCheck,
  wsUpgradeCheck,
  tlsCheck,
  emulatedCallCheck,
  signaturesCheck,
];

export interface DoctorOptions {
  /** The public base URL (or the full incoming-call webhook URL). */
  url: string | Target;
  authToken: string;
  accountSid: string;
  budgets?: Partial<DoctorBudgets>;
  /** Progress: a check begins / has a result. */
  onCheckStart?: (check: Pick<Check, 'n' | 'id' | 'title'>) => void;
  onCheckDone?: (result: CheckResult) => void;
}

async function runOne(check: Check, ctx: DoctorContext): Promise<CheckResult> {
  const started = performance.now();
  const base = { n: check.n, id: check.id, title: check.title };
  try {
    const outcome = await check.run(ctx);
    return {
      ...base,
      status: statusOf(outcome),
      summary: outcome.skipped !== undefined ? `skipped: ${outcome.skipped}` : outcome.summary,
      saw: outcome.saw ?? [],
      findings: outcome.findings ?? [],
      ms: Math.round(performance.now() - started),
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ...base,
      status: 'fail',
      summary: `the check itself failed: ${message}`,
      saw: [],
      findings: [
        {
          severity: 'fail',
          cause: 'doctor-error',
          message: `the check could not finish: ${message}.`,
          fix: 'this is a bug in agentlocator doctor; please report it with this output',
        },
      ],
      ms: Math.round(performance.now() - started),
    };
  }
}

/**
 * When the emulated call never ran, the signed incoming_call of check 2 left a ringing call in the
 * server's log: end it the way Twilio would, with a `completed` status callback (answer ignored).
 */
async function endUnplacedCall(ctx: DoctorContext): Promise<void> {
  if (ctx.done.find((r) => r.id === 'emulated-call')?.status !== 'skip') return;
  await ctx.emulator.postSigned(`${ctx.target.origin}/webhook/call_status`, {
    ...voiceParams(ctx, 'completed'),
    SequenceNumber: '0',
    CallDuration: '0',
    CallbackSource: 'call-progress-events',
    Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
  });
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const target = typeof options.url === 'string' ? parseTarget(options.url) : options.url;
  const budgets: DoctorBudgets = { ...DEFAULT_BUDGETS, ...options.budgets };
  const limit = Math.min(budgets.webhookBudgetMs, 10_000);
  const emulator = new TwilioEmulator({
    authToken: options.authToken,
    accountSid: options.accountSid,
    networkMap: target.networkMap,
    webhookTimeoutMs: budgets.webhookBudgetMs,
    connectTimeoutMs: limit,
    streamConnectTimeoutMs: limit,
  });
  const probes = new Map<string, Promise<ProbeRecord>>();
  const ctx: DoctorContext = {
    target,
    authToken: options.authToken,
    accountSid: options.accountSid,
    callSid: newSid('CA'),
    emulator,
    budgets,
    facts: {},
    done: [],
    probe(url) {
      let p = probes.get(url);
      if (!p) {
        p = emulator.probeStream(url).then((probe) => ({ ...probe, asked: url }));
        probes.set(url, p);
      }
      return p;
    },
  };
  const startedAt = new Date();
  const started = performance.now();
  try {
    for (const check of CHECKS) {
      options.onCheckStart?.(check);
      const result = await runOne(check, ctx);
      ctx.done.push(result);
      options.onCheckDone?.(result);
    }
    await endUnplacedCall(ctx);
  } finally {
    await emulator.close();
  }
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of ctx.done) counts[r.status] += 1;
  return {
    url: target.origin,
    webhookUrl: target.webhookUrl,
    callSid: ctx.callSid,
    accountSid: options.accountSid,
    startedAt: startedAt.toISOString(),
    ms: Math.round(performance.now() - started),
    ok: counts.fail === 0,
    counts,
    checks: ctx.done,
  };
}
