// Check 1: GET /readyz answers 200 with JSON, and each dependency is ok (disabled or unconfigured
// is a warning, error is a failure). A deployment that cannot answer this is not serving calls.
import type { Check, Finding } from '../types.js';
import { ms } from '../twilio-facts.js';

const STATES = new Set(['ok', 'disabled', 'unconfigured', 'error']);

const DEPENDENCY_HINT: Record<string, string> = {
  db: 'check DATABASE_URL (or DATA_DIR for SQLite) and the database server',
  twilio: 'set TWILIO_AUTH_TOKEN (and TWILIO_ACCOUNT_SID) to your account’s values',
  agent: 'check AGENT and its settings (OPENAI_API_KEY for openai-realtime)',
  redis: 'set REDIS_URL to run several instances; one instance does not need it',
};

export const readyzCheck: Check = {
  n: 1,
  id: 'readyz',
  title: 'Readiness (/readyz)',
  async run(ctx) {
    const url = `${ctx.target.origin}/readyz`;
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(ctx.budgets.webhookBudgetMs) });
    } catch (err) {
      const why =
        (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : String(err);
      return {
        summary: `GET ${url} got no answer: ${why}`,
        findings: [
          {
            severity: 'fail',
            cause: 'readyz-unreachable',
            message: `${url} did not answer (${why}); the server is down, or not at this URL.`,
            fix: 'start the server (npm start / agentlocator serve) and check the URL, port and proxy',
          },
        ],
      };
    }
    const took = performance.now() - started;
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return {
        summary: `GET ${url} answered ${response.status} without a JSON object (${ms(took)})`,
        saw: [`body starts: ${JSON.stringify(text.slice(0, 80))}`],
        findings: [
          {
            severity: 'fail',
            cause: 'readyz-not-json',
            message: `${url} does not answer readiness JSON: this is not an AgentLocator server, or a proxy answers instead.`,
            fix: 'point the URL (and your proxy) at the AgentLocator process',
          },
        ],
      };
    }
    const fields = body as Record<string, unknown>;
    const deps = Object.entries(fields).filter(([, v]) => typeof v === 'string' && STATES.has(v));
    const findings: Finding[] = [];
    for (const [name, state] of deps) {
      const hint = DEPENDENCY_HINT[name] ?? `check the ${name} settings`;
      if (state === 'error') {
        findings.push({
          severity: 'fail',
          cause: 'readyz-dependency-error',
          message: `${name} is in error.`,
          fix: hint,
        });
      } else if (state === 'disabled' || state === 'unconfigured') {
        findings.push({
          severity: 'warn',
          cause: `readyz-dependency-${state}`,
          message:
            name === 'twilio'
              ? 'twilio is unconfigured: the server checks signatures with its local token, so real Twilio requests get 403 (Twilio 11200).'
              : `${name} is ${state}.`,
          fix: hint,
        });
      }
    }
    if (fields.draining === true) {
      findings.push({
        severity: 'fail',
        cause: 'readyz-draining',
        message: 'the server is draining (shutting down) and takes no new streams.',
        fix: 'wait for the new instance, or restart the server',
      });
    }
    if (response.status !== 200 && !findings.some((f) => f.severity === 'fail')) {
      findings.push({
        severity: 'fail',
        cause: 'readyz-not-ready',
        message: `${url} answered HTTP ${response.status}: the server says it is not ready.`,
        fix: 'read the server log for the failing dependency',
      });
    }
    const states = deps.map(([k, v]) => `${k} ${String(v)}`).join(', ') || 'no dependency states';
    return { summary: `${response.status} in ${ms(took)}: ${states}`, findings };
  },
};
