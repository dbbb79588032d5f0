// Check 3: the <Stream url> is wss:// (ws:// → 31922), has no query string (→ 31920), is well formed
// (→ 31923), and names the host you asked about. A stale domain sends Twilio elsewhere: the probe
// of that URL tells which error Twilio will report there (31920, 31901 or 31902).
import { checkStreamUrl } from '../../../emulator/index.js';
import type { Check, Finding } from '../types.js';
import { twilioError } from '../twilio-facts.js';

/** The https document URL Twilio would resolve a relative Stream URL against. */
function publicDocumentUrl(webhookUrl: string): string {
  const url = new URL(webhookUrl);
  url.protocol = 'https:';
  return url.href;
}

/** The same URL as Twilio would need it: wss, no query string (for probing past a scheme or query fault). */
export function correctedStreamUrl(raw: string, documentUrl: string): string | undefined {
  try {
    const url = new URL(raw.trim(), documentUrl);
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) return undefined;
    url.protocol = 'wss:';
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

export const streamUrlCheck: Check = {
  n: 3,
  id: 'stream-url',
  title: 'Stream URL in the TwiML',
  async run(ctx) {
    const stream = ctx.facts.twiml?.connect?.stream;
    if (!stream)
      return { summary: 'no <Stream> to check', skipped: 'the TwiML has no <Connect><Stream> (check 2)' };
    const documentUrl = publicDocumentUrl(ctx.target.webhookUrl);
    const checked = checkStreamUrl(stream.url, documentUrl);
    const findings: Finding[] = [];
    const saw = [`<Stream url="${stream.url}">`];
    const params = Object.keys(stream.parameters);
    if (params.length) saw.push(`<Parameter>s: ${params.join(', ')}`);
    if (!stream.statusCallback) saw.push('no statusCallback: Twilio’s stream errors only reach its debugger');

    ctx.facts.streamDialable = checked.ok;
    const resolved = checked.ok ? checked.url.href : correctedStreamUrl(stream.url, documentUrl);
    if (checked.ok) ctx.facts.streamUrl = resolved;
    else if (resolved) ctx.facts.correctedStreamUrl = resolved;

    if (!checked.ok) {
      if (checked.code === 31922) {
        findings.push({
          severity: 'fail',
          cause: 'stream-url-scheme',
          message: `${checked.reason}; Twilio refuses the stream and the caller hears silence.`,
          twilio: twilioError(31922),
          fix: 'write the Stream URL as wss://<public host>/ws/twilio-media (never ws://)',
        });
      } else if (checked.code === 31920) {
        findings.push({
          severity: 'fail',
          cause: 'stream-url-query',
          message: `${checked.reason}.`,
          twilio: twilioError(31920),
          fix: 'remove the query string and pass per-call values as <Parameter name=… value=…/>',
        });
      } else {
        findings.push({
          severity: 'fail',
          cause: 'stream-url-malformed',
          message: `${checked.reason}.`,
          twilio: twilioError(checked.code),
          fix: 'write the Stream URL as an absolute wss://<public host>/ws/twilio-media',
        });
      }
    }

    if (resolved) {
      const host = new URL(resolved).host;
      if (host !== ctx.target.host) {
        // Where does Twilio end up? Probe the URL as written (past any scheme/query fault).
        const probe = await ctx.probe(resolved);
        const there = probe.ok
          ? 'another server answers 101 there: Twilio would stream your callers to it'
          : `Twilio gets: ${probe.message ?? 'no 101'}`;
        findings.push({
          severity: 'fail',
          cause: 'stream-url-host',
          message: `the Stream URL names ${host}, not the host you asked about (${ctx.target.host}): a stale domain or a hard-coded host; ${there}.`,
          ...(probe.code ? { twilio: twilioError(probe.code) } : {}),
          fix: 'build the Stream URL from PUBLIC_HOST / PUBLIC_BASE_URL set to the current domain (or the request host); never hard-code it',
        });
      }
    }
    const summary = findings.length
      ? `${stream.url}: ${findings.map((f) => f.cause).join(', ')}`
      : `${stream.url}: wss, no query string, host ${ctx.target.host}`;
    return { summary, saw, findings };
  },
};
