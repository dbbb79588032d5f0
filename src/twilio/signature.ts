// Twilio request signatures: which public URL Twilio signed, and the checks for HTTP webhooks and
// for the media-stream WebSocket upgrade (signed over the wss:// URL with no parameters).
import twilio from 'twilio';

export interface RequestOrigin {
  /** Configured public host (host[:port]); wins over anything the request says. */
  publicHost: string | undefined;
  trustProxy: boolean;
  /** The socket's protocol: 'http' or 'https'. */
  protocol: string;
  headers: Record<string, string | string[] | undefined>;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  // Proxies chain values: "client-facing, next-hop"; the first is what Twilio dialled.
  return v?.split(',')[0]?.trim() || undefined;
}

/** The host Twilio reached us on, scheme prefixes stripped, lower-cased. */
export function publicHostOf(origin: RequestOrigin): string | undefined {
  if (origin.publicHost) return origin.publicHost;
  const forwarded = origin.trustProxy ? firstHeader(origin.headers['x-forwarded-host']) : undefined;
  const host = forwarded ?? firstHeader(origin.headers.host);
  if (!host) return undefined;
  return (
    host
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/\/.*$/, '')
      .toLowerCase() || undefined
  );
}

/** The scheme Twilio used: https when a public host is configured (Twilio only calls https there). */
export function publicProtocolOf(origin: RequestOrigin): 'http' | 'https' {
  if (origin.publicHost) return 'https';
  const forwarded = origin.trustProxy ? firstHeader(origin.headers['x-forwarded-proto']) : undefined;
  return (forwarded ?? origin.protocol) === 'https' ? 'https' : 'http';
}

/** The full URL Twilio signed for an HTTP webhook (path and query exactly as requested). */
export function webhookUrl(origin: RequestOrigin, pathAndQuery: string): string | undefined {
  const host = publicHostOf(origin);
  return host ? `${publicProtocolOf(origin)}://${host}${pathAndQuery}` : undefined;
}

/** Checks an HTTP webhook's X-Twilio-Signature against the URL and all form parameters. */
export function isValidWebhookSignature(
  authToken: string,
  signature: string,
  url: string,
  params: Record<string, string | string[]>,
): boolean {
  try {
    return twilio.validateRequest(authToken, signature, url, params);
  } catch {
    // The validator parses the URL; a hostile Host header must give 403, not a 500.
    return false;
  }
}

/**
 * The URLs a genuine upgrade may have been signed over: the Stream URL as our TwiML wrote it, its
 * trailing-slash twin and the explicit :443 form (Twilio's signing is not consistent about ports).
 */
export function streamUrlCandidates(host: string, path: string): string[] {
  const bare = path.replace(/\/+$/, '');
  const hosts = host.includes(':') ? [host] : [host, `${host}:443`];
  return hosts.flatMap((h) => [`wss://${h}${bare}`, `wss://${h}${bare}/`]);
}

/** Returns the candidate URL the upgrade signature matches, or undefined. */
export function matchStreamSignature(
  authToken: string,
  signature: string,
  candidates: string[],
): string | undefined {
  return candidates.find((url) => {
    try {
      return twilio.validateRequest(authToken, signature, url, {});
    } catch {
      return false;
    }
  });
}
