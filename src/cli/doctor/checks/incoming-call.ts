// Check 2: a signed incoming_call, as Twilio sends it, answers 200 with TwiML within Twilio's budget
// (warn over 2 s, fail at 15 s → 11205), the TwiML parses (12100/12300) and holds <Connect><Stream>.
// An answer with <Record> and no stream is an old deployment still answering this URL.
import { parseTwiml, type Verb } from '../../../emulator/index.js';
import type { FoundTwiml } from '../context.js';
import type { Check, Finding } from '../types.js';
import { ms, twilioError, voiceParams } from '../twilio-facts.js';

function describeVerbs(verbs: Verb[]): string {
  return (
    verbs
      .map((v) => {
        if (v.verb === 'Connect')
          return `<Connect>${v.stream ? '<Stream>' : v.nouns.map((n) => `<${n}>`).join('')}`;
        if (v.verb === 'Unsupported') return `<${v.name}>`;
        return `<${v.verb}>`;
      })
      .join(' ') || '(no verbs)'
  );
}

function httpFailure(status: number, location: string | undefined, url: string): Finding {
  if (status === 401 || status === 403) {
    return {
      severity: 'fail',
      cause: 'webhook-signature-rejected',
      message: `the server refused Twilio's signature (HTTP ${status}); every real call would fail.`,
      twilio: twilioError(11200),
      fix:
        'use the same auth token as the server (--auth-token / TWILIO_AUTH_TOKEN), and make the server rebuild ' +
        `the URL Twilio signs (${url}): set PUBLIC_BASE_URL, or TRUST_PROXY=true behind a TLS proxy`,
    };
  }
  if (status >= 300 && status < 400) {
    return {
      severity: 'fail',
      cause: 'webhook-redirect',
      message: `the webhook answered a ${status} redirect${location ? ` to ${location}` : ''}; Twilio wants TwiML, not a redirect.`,
      twilio: twilioError(11200),
      fix: 'point the Twilio number at the final URL (https, right host, no trailing-slash redirect)',
    };
  }
  if (status === 404 || status === 405) {
    return {
      severity: 'fail',
      cause: 'webhook-not-found',
      message: `the webhook answered HTTP ${status}: nothing serves POST ${new URL(url).pathname} here.`,
      twilio: twilioError(11200),
      fix: 'point the number’s "A call comes in" webhook at https://<host>/webhook/incoming_call (POST)',
    };
  }
  return {
    severity: 'fail',
    cause: 'webhook-http-status',
    message: `the webhook answered HTTP ${status} instead of 200 with TwiML.`,
    twilio: twilioError(11200),
    fix: 'read the server log for this request; the webhook must answer 200 text/xml',
  };
}

export const incomingCallCheck: Check = {
  n: 2,
  id: 'incoming-call',
  title: 'Signed incoming_call → TwiML',
  async run(ctx) {
    const url = ctx.target.webhookUrl;
    const { budgets } = ctx;
    const exchange = await ctx.emulator.postSigned(url, voiceParams(ctx, 'ringing'));
    if (exchange.error) {
      const timedOut =
        exchange.ms >= budgets.webhookBudgetMs - 50 || /within \d+ ms/.test(exchange.error.message);
      return {
        summary: `POST ${url}: ${timedOut ? `no answer within ${ms(budgets.webhookBudgetMs)}` : exchange.error.message}`,
        findings: [
          timedOut
            ? {
                severity: 'fail',
                cause: 'webhook-timeout',
                message: `the webhook did not answer within Twilio's ${ms(budgets.webhookBudgetMs)} budget; Twilio gives up and the caller hears an application error.`,
                twilio: twilioError(11205),
                fix: 'answer the TwiML at once and do slow work (database, CRM, AI) after answering',
              }
            : {
                severity: 'fail',
                cause: 'webhook-unreachable',
                message: `Twilio could not connect to the webhook: ${exchange.error.message}.`,
                twilio: twilioError(exchange.error.code),
                fix: 'check the host name, DNS, port and that the server is running behind your proxy',
              },
        ],
      };
    }
    const status = exchange.status ?? 0;
    const saw = [
      `HTTP ${status} ${exchange.contentType ?? '(no content type)'}, ${exchange.bytes ?? 0} bytes`,
    ];
    const findings: Finding[] = [];
    if (exchange.ms > budgets.webhookWarnMs) {
      findings.push({
        severity: 'warn',
        cause: 'webhook-slow',
        message: `the webhook took ${ms(exchange.ms)} (over ${ms(budgets.webhookWarnMs)}): the caller waits in silence, and at ${ms(budgets.webhookBudgetMs)} Twilio gives up (11205).`,
        twilio: twilioError(11205),
        fix: 'answer the TwiML at once; move database and CRM work off the request path',
      });
    }
    if (status < 200 || status > 299) {
      if (status === 401 || status === 403) ctx.facts.webhookSignatureRejected = true;
      findings.push(httpFailure(status, exchange.location, url));
      return { summary: `HTTP ${status} in ${ms(exchange.ms)}`, saw, findings };
    }
    const type = (exchange.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!['text/xml', 'application/xml', 'text/html'].includes(type)) {
      findings.push({
        severity: 'fail',
        cause: 'twiml-content-type',
        message: `the webhook answered Content-Type ${JSON.stringify(exchange.contentType ?? '(none)')}; Twilio only runs text/xml or application/xml as TwiML.`,
        twilio: twilioError(12300),
        fix: 'answer the TwiML with Content-Type: text/xml',
      });
      return { summary: `200 in ${ms(exchange.ms)}, but not XML`, saw, findings };
    }
    const xml = exchange.body ?? '';
    const parsed = parseTwiml(xml);
    if (!parsed.ok) {
      findings.push({
        severity: 'fail',
        cause: 'twiml-parse',
        message: `the TwiML does not parse: ${parsed.reason}.`,
        twilio: twilioError(12100),
        fix: 'build the TwiML with the twilio package’s VoiceResponse; the root must be <Response>',
      });
      return { summary: `200 in ${ms(exchange.ms)}, but the TwiML is broken`, saw, findings };
    }
    for (const warning of parsed.warnings) {
      findings.push({
        severity: 'warn',
        cause: 'twiml-schema-warning',
        message: `${warning}.`,
        twilio: twilioError(12200),
        fix: 'fix the TwiML element (Twilio skips it)',
      });
    }
    const connect = parsed.verbs.find((v): v is Extract<Verb, { verb: 'Connect' }> => v.verb === 'Connect');
    const found: FoundTwiml = { url, xml, verbs: parsed.verbs };
    if (connect?.stream) {
      found.connect = {
        ...(connect.action ? { action: connect.action } : {}),
        method: connect.method,
        stream: connect.stream,
      };
    }
    ctx.facts.twiml = found;
    saw.push(`TwiML: ${describeVerbs(parsed.verbs)}`);
    if (!connect?.stream) {
      const records = parsed.verbs.some((v) => v.verb === 'Record');
      findings.push(
        records
          ? {
              severity: 'fail',
              cause: 'twiml-old-deployment',
              message:
                'the TwiML answers <Record> and has no <Connect><Stream>: an old deployment is still answering this URL. Callers go straight to voicemail and never reach the agent.',
              fix: 'redeploy the current version (and stop the old one), or point the number at the new deployment’s URL',
            }
          : {
              severity: 'fail',
              cause: 'twiml-no-stream',
              message:
                'the TwiML has no <Connect><Stream>: no media stream opens and the agent never hears the caller.',
              fix: 'answer incoming_call with <Connect action="/webhook/stream_ended"><Stream url="wss://<host>/ws/twilio-media">',
            },
      );
    } else if (!connect.action) {
      findings.push({
        severity: 'warn',
        cause: 'connect-no-action',
        message:
          '<Connect> has no action: when the stream ends or fails, Twilio hangs up instead of taking a voicemail.',
        fix: 'add action="/webhook/stream_ended" to <Connect>',
      });
    }
    return {
      summary: `200 ${type} in ${ms(exchange.ms)}: ${describeVerbs(parsed.verbs)}`,
      saw,
      findings,
    };
  },
};
