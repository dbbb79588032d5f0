// `agentlocator doctor <public base url>`: runs the eight checks and prints them (progress and
// colour on a terminal, plain lines on a pipe, one JSON report with --json). Exit 0 only if healthy.
import { DEFAULT_BUDGETS } from '../doctor/context.js';
import { renderCheck, renderFooter, renderHeader } from '../doctor/render.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { parseTarget } from '../target.js';
import { createTerm } from '../term.js';
import { CREDENTIAL_OPTIONS, credentialsFrom, parse, seconds } from './common.js';

export const DOCTOR_HELP = `agentlocator doctor <public base url> [options]

Runs the checks that find every cause of a silent call: /readyz, a signed incoming_call and its
TwiML, the Stream URL, the <Play> files, the WebSocket upgrade (and its trailing-slash twin), TLS,
a short emulated call, and signatures. Each problem names the Twilio error it causes and the fix.

Options:
  --auth-token <token>   sign as Twilio with this token (default: TWILIO_AUTH_TOKEN, then the
                         server's DATA_DIR/local-auth-token)
  --account-sid <AC…>    AccountSid for the emulated call (default: TWILIO_ACCOUNT_SID)
  --timeout <s>          Twilio's budget for each request (default 15)
  --warn-after <s>       a webhook slower than this is a warning (default 2)
  --call-seconds <s>     how long the emulated call keeps its stream open (default 3)
  --verbose              show what every check saw, not only the failing ones
  --json                 print one JSON report (for machines)

Exit status: 0 healthy (warnings allowed), 1 a check failed, 2 usage error.`;

export async function doctorCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    ...CREDENTIAL_OPTIONS,
    'warn-after': { type: 'string' },
    'call-seconds': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(DOCTOR_HELP);
    return 0;
  }
  const target = parseTarget(positionals[0]);
  const creds = await credentialsFrom(values);
  const budgets = {
    webhookBudgetMs: seconds(values.timeout, 'timeout', DEFAULT_BUDGETS.webhookBudgetMs),
    webhookWarnMs: seconds(values['warn-after'], 'warn-after', DEFAULT_BUDGETS.webhookWarnMs),
    callMs: seconds(values['call-seconds'], 'call-seconds', DEFAULT_BUDGETS.callMs),
  };
  const term = createTerm(process.stdout);
  const json = values.json === true;
  if (!json)
    for (const l of renderHeader(term, {
      url: target.origin,
      webhookUrl: target.webhookUrl,
      tokenSource: creds.tokenSource,
    }))
      term.line(l);
  let stop = () => undefined as void;
  const report = await runDoctor({
    url: target,
    authToken: creds.authToken,
    accountSid: creds.accountSid,
    budgets,
    onCheckStart: (check) => {
      if (!json) stop = term.progress(`${check.n}. ${check.title}…`);
    },
    onCheckDone: (result) => {
      stop();
      if (!json) for (const l of renderCheck(term, result, values.verbose === true)) term.line(l);
    },
  });
  if (json) term.line(JSON.stringify({ ...report, tokenSource: creds.tokenSource }, null, 2));
  else for (const l of renderFooter(term, report)) term.line(l);
  return report.ok ? 0 : 1;
}
