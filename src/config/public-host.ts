// PUBLIC_BASE_URL / PUBLIC_HOST: the host Twilio reaches us on, reduced to host[:port], and the
// scheme that says whether session cookies need `Secure`.
import { z } from 'zod';
import type { Config } from '../config.js';
import { ConfigError } from './config-error.js';
import { opt } from './schema-kit.js';
import { shownValue } from './secrets.js';

export const publicHostEnvSchema = z.object({
  PUBLIC_BASE_URL: opt(z.string()),
  PUBLIC_HOST: opt(z.string()),
});

/** https for a bare host or an https/wss origin, http for http/ws: whether cookies need `Secure`. */
function publicSchemeOf(raw: string): 'https' | 'http' {
  return /^(http|ws):\/\//i.test(raw.trim()) ? 'http' : 'https';
}

/**
 * Reduces PUBLIC_BASE_URL / PUBLIC_HOST to a bare host[:port]. The seed's classic 31920 cause is a
 * scheme or stale domain leaking into the Stream URL, so anything but an origin is refused here.
 */
export function normalisePublicHost(raw: string, variable: string): string {
  const trimmed = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError([
      `${variable}: ${shownValue(variable, raw)} is not a host name; set it like ai-crm.example.com`,
    ]);
  }
  const problems: string[] = [];
  if (!['https:', 'http:', 'wss:', 'ws:'].includes(url.protocol))
    problems.push(`${variable}: scheme ${url.protocol} is not a web origin; set https://your.host`);
  if (url.username || url.password) problems.push(`${variable}: must not contain credentials`);
  if (url.pathname !== '/' && url.pathname !== '')
    problems.push(`${variable}: must be an origin without a path (got ${url.pathname})`);
  if (url.search || url.hash) problems.push(`${variable}: must not contain a query or fragment`);
  if (problems.length) throw new ConfigError(problems);
  // Twilio only speaks TLS to media streams; the default https port is implied.
  const port = url.port && url.port !== '443' ? `:${url.port}` : '';
  return `${url.hostname.toLowerCase()}${port}`;
}

/** PUBLIC_BASE_URL wins over PUBLIC_HOST; neither set leaves both fields undefined. */
export function publicOrigin(
  e: z.infer<typeof publicHostEnvSchema>,
): Pick<Config, 'publicHost' | 'publicScheme'> {
  let publicHost: string | undefined;
  let publicScheme: Config['publicScheme'];
  if (e.PUBLIC_BASE_URL) publicHost = normalisePublicHost(e.PUBLIC_BASE_URL, 'PUBLIC_BASE_URL');
  else if (e.PUBLIC_HOST) publicHost = normalisePublicHost(e.PUBLIC_HOST, 'PUBLIC_HOST');
  const publicRaw = e.PUBLIC_BASE_URL ?? e.PUBLIC_HOST;
  if (publicRaw) publicScheme = publicSchemeOf(publicRaw);
  return { publicHost, publicScheme };
}
