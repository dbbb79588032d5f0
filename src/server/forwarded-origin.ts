// Behind a TLS proxy with nothing configured (no PUBLIC_BASE_URL, no TRUST_PROXY), Twilio signs
// the https:// URL the proxy serves while this server sees plain http. The forwarded headers are
// not trusted for what they say; but a signature that matches the https URL they describe proves
// the request is Twilio's all the same (only Twilio has the auth token), so that URL is learned
// for this request: its signature check passes, and its TwiML names the same host. A forged
// signature matches neither URL and is refused as before. Logged once, loudly: set PUBLIC_BASE_URL.
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { RequestOrigin } from '../twilio/signature.js';

/** Requests whose signature matched the forwarded https URL (their origin is read through the proxy). */
const learned = new WeakSet<FastifyRequest>();

function firstHeader(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.split(',')[0]?.trim().toLowerCase() || undefined;
}

/**
 * The origin the forwarded headers describe, when nothing configured says it and they describe
 * https (a proxy that keeps the Host header sends X-Forwarded-Proto alone). Undefined otherwise.
 */
export function forwardedHttpsOrigin(origin: RequestOrigin): RequestOrigin | undefined {
  if (origin.publicHost || origin.trustProxy) return undefined;
  const proto = firstHeader(origin.headers['x-forwarded-proto']);
  if (proto !== 'https' && proto !== 'wss') return undefined;
  return { ...origin, trustProxy: true };
}

/** The request's signature matched its forwarded https URL. */
export function learnForwarded(request: FastifyRequest): void {
  learned.add(request);
}

/** The origin to answer this request with: through the proxy once its signature proved that URL. */
export function answeringOrigin(request: FastifyRequest, origin: RequestOrigin): RequestOrigin {
  return learned.has(request) ? { ...origin, trustProxy: true } : origin;
}

export class ForwardedOriginNotice {
  private said = false;

  constructor(private readonly log: Logger) {}

  /** Once per process: which URL matched, and what to set so it need not be learned. */
  matched(url: string, kind: 'webhook' | 'stream'): void {
    if (this.said) return;
    this.said = true;
    const origin = new URL(url);
    const base = `https://${origin.host}`;
    this.log.warn(
      { matchedUrl: url, kind, set: `PUBLIC_BASE_URL=${base}` },
      `PUBLIC_URL_LEARNED: !!! Twilio's signature matched ${url}, the https URL your proxy's X-Forwarded-* headers describe; ` +
        `accepted (the signature proves it is Twilio). Set PUBLIC_BASE_URL=${base} so nothing depends on the proxy's headers`,
    );
  }
}
