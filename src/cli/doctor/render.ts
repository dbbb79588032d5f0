// The doctor's report as text: one line per check (✓ ! ✗ – on a terminal, [pass] [warn] [FAIL]
// [skip] on a pipe), then each problem with its Twilio error and fix, then the totals.
import type { Term } from '../term.js';
import { DOCTOR_FROM } from './twilio-facts.js';
import type { CheckResult, CheckStatus, DoctorReport, Finding } from './types.js';

const TTY_MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '–' };
const PLAIN_MARK: Record<CheckStatus, string> = {
  pass: '[pass]',
  warn: '[warn]',
  fail: '[FAIL]',
  skip: '[skip]',
};

function paint(term: Term, status: CheckStatus | Finding['severity'], s: string): string {
  if (status === 'pass') return term.green(s);
  if (status === 'warn') return term.yellow(s);
  if (status === 'fail') return term.red(s);
  return term.dim(s);
}

export function renderHeader(
  term: Term,
  info: { url: string; webhookUrl: string; tokenSource: string },
): string[] {
  return [
    `${term.bold('AgentLocator doctor')}  ${info.url}`,
    term.dim(`  webhook ${info.webhookUrl} · signing with ${info.tokenSource}`),
    '',
  ];
}

export function renderCheck(term: Term, r: CheckResult, verbose: boolean): string[] {
  const mark = (term.tty ? TTY_MARK : PLAIN_MARK)[r.status];
  const lines = [`${paint(term, r.status, mark)} ${r.n}. ${term.bold(r.title)}: ${r.summary}`];
  const indent = term.tty ? '    ' : '       ';
  if (verbose || r.status === 'fail' || r.status === 'warn') {
    for (const s of r.saw) lines.push(term.dim(`${indent}${s}`));
  }
  for (const f of r.findings) {
    const code = f.twilio ? ` · Twilio ${f.twilio.code} ${f.twilio.title}` : '';
    lines.push(
      `${indent}${paint(term, f.severity, `${f.severity === 'fail' ? 'problem' : 'warning'} [${f.cause}]${code}`)}`,
    );
    lines.push(`${indent}  ${f.message}`);
    lines.push(`${indent}  ${term.bold('fix:')} ${f.fix}`);
  }
  return lines;
}

export function renderFooter(term: Term, report: DoctorReport): string[] {
  const c = report.counts;
  const parts = [
    term.green(`${c.pass} passed`),
    c.warn ? term.yellow(`${c.warn} warning${c.warn === 1 ? '' : 's'}`) : `0 warnings`,
    c.fail ? term.red(`${c.fail} failed`) : '0 failed',
    ...(c.skip ? [term.dim(`${c.skip} skipped`)] : []),
  ];
  const verdict = report.ok
    ? term.green(c.warn ? 'Healthy, with warnings.' : 'Healthy.')
    : term.red('NOT healthy: callers would hear silence or errors. Fix the problems above, in order.');
  return [
    '',
    `${parts.join(' · ')} in ${(report.ms / 1000).toFixed(1)} s`,
    verdict,
    term.dim(`The doctor's call is ${report.callSid} in your call log (from ${DOCTOR_FROM}).`),
  ];
}
