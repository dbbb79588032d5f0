// Check 6: TLS. The public host's certificate verifies and names the host (else 11220 on the
// webhook, 31910 on the stream); a redirect to https on the WebSocket path (the app believes the
// request is plain http behind a TLS proxy) is a 31920. Over an http:// URL TLS is not checked.
import type { Check, Finding } from '../types.js';
import { probeTls } from '../tls-probe.js';
import { twilioError } from '../twilio-facts.js';

const EXPIRY_WARN_DAYS = 14;

function httpsRedirects(ctx: Parameters<Check['run']>[0]): Finding[] {
  const findings: Finding[] = [];
  for (const probe of [ctx.facts.exactProbe, ctx.facts.twinProbe]) {
    if (!probe?.location || probe.status === undefined || probe.status < 300 || probe.status >= 400) continue;
    let to: URL;
    try {
      to = new URL(probe.location, probe.asked.replace(/^ws/, 'http'));
    } catch {
      continue;
    }
    const from = new URL(probe.asked);
    // Only a scheme change to the same place is the proxy's http→https redirect (apex→www is not).
    const samePlace = to.hostname === from.hostname && to.pathname === from.pathname;
    if ((to.protocol !== 'https:' && to.protocol !== 'wss:') || !samePlace) continue;
    findings.push({
      severity: 'fail',
      cause: 'ws-https-redirect',
      message: `${probe.asked} redirects to ${probe.location}: the app behind your TLS proxy believes the upgrade came over plain http and sends it to https; Twilio does not follow it.`,
      twilio: twilioError(31920),
      fix: 'trust the proxy’s X-Forwarded-Proto (TRUST_PROXY=true, or PUBLIC_BASE_URL) and never force-https /ws/*',
    });
    break;
  }
  return findings;
}

export const tlsCheck: Check = {
  n: 6,
  id: 'tls',
  title: 'TLS',
  async run(ctx) {
    const findings = httpsRedirects(ctx);
    if (!ctx.target.secure) {
      findings.push({
        severity: 'warn',
        cause: 'tls-not-applicable',
        message: 'not applicable (http URL): Twilio only calls https:// webhooks and wss:// streams.',
        fix: 'run doctor against the public https:// URL to check the certificate',
      });
      return { summary: 'not applicable (http URL)', findings };
    }
    const url = new URL(ctx.target.origin);
    const port = Number(url.port || 443);
    const probe = await probeTls(url.hostname, port, Math.min(ctx.budgets.webhookBudgetMs, 10_000));
    if (!probe.ok) {
      findings.push({
        severity: 'fail',
        cause: 'tls-handshake',
        message: `no TLS on ${url.host} (${probe.message}): Twilio reports 11220 on the webhook and 31910 on the stream.`,
        twilio: twilioError(31910),
        fix: 'terminate TLS on port 443 for this host (Caddy, nginx, or your platform’s https)',
      });
      return { summary: `TLS handshake to ${url.host} failed: ${probe.message}`, findings };
    }
    const saw = [
      `certificate for ${probe.subject} from ${probe.issuer}, ${probe.protocol}`,
      `valid until ${probe.validTo.toISOString().slice(0, 10)} (${probe.daysLeft} days)`,
    ];
    if (!probe.valid) {
      findings.push({
        severity: 'fail',
        cause: 'tls-invalid-certificate',
        message: `the certificate is not valid for ${url.hostname}: ${probe.problem}. Twilio reports 11220 on the webhook and 31910 on the stream.`,
        twilio: twilioError(31910),
        fix: 'install a certificate from a public CA that names this host, with its full chain (e.g. Let’s Encrypt via Caddy)',
      });
    } else if (probe.daysLeft < EXPIRY_WARN_DAYS) {
      findings.push({
        severity: probe.daysLeft < 0 ? 'fail' : 'warn',
        cause: 'tls-expiring',
        message: `the certificate expires in ${probe.daysLeft} days.`,
        twilio: twilioError(31910),
        fix: 'renew the certificate (automate it)',
      });
    }
    const summary = probe.valid
      ? `valid certificate for ${url.hostname} (${probe.daysLeft} days left)`
      : `certificate not valid for ${url.hostname}`;
    return { summary, saw, findings };
  },
};
