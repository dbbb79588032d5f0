// Where the emulator really connects for a public URL. Twilio dials the public https/wss URL; in
// tests that URL is served by a local plain-HTTP server, so a map (public origin → local origin)
// stands in for DNS plus a TLS-terminating proxy. Signatures always use the public URL.

/** Public origin → origin actually dialled, e.g. { 'https://agents.example.com': 'http://127.0.0.1:4000' }. */
export type NetworkMap = Readonly<Record<string, string>>;

export interface DialPlan {
  /** The URL Twilio would dial (and signs). */
  publicUrl: URL;
  /** The URL the emulator connects to. */
  dialUrl: URL;
  /** Headers a TLS-terminating proxy adds when the map re-routes the request. */
  proxyHeaders: Record<string, string>;
  /**
   * True when a loopback https/wss URL without a map entry is dialled as plain http/ws (local
   * servers have no TLS); X-Forwarded-Proto: https then tells a proxy-aware server what was signed.
   */
  downgraded: boolean;
}

const TWIN: Record<string, string> = { 'https:': 'wss:', 'wss:': 'https:', 'http:': 'ws:', 'ws:': 'http:' };
const PLAIN: Record<string, string> = { 'https:': 'http:', 'wss:': 'ws:' };
// The address a proxy would put in X-Forwarded-For: one of Twilio's published webhook ranges.
const TWILIO_EGRESS_IP = '54.172.60.1';

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function normalise(map: NetworkMap): Map<string, URL> {
  const out = new Map<string, URL>();
  for (const [from, to] of Object.entries(map)) out.set(new URL(from).origin, new URL(to));
  return out;
}

/** The target origin for `url`: an exact entry, else the http/ws twin entry with its scheme swapped. */
function mappedOrigin(url: URL, entries: Map<string, URL>): URL | undefined {
  const exact = entries.get(url.origin);
  if (exact) return exact;
  const twinScheme = TWIN[url.protocol];
  if (!twinScheme) return undefined;
  const twin = new URL(url.href);
  twin.protocol = twinScheme;
  const target = entries.get(twin.origin);
  if (!target) return undefined;
  const swapped = new URL(target.href);
  swapped.protocol = TWIN[target.protocol] ?? target.protocol;
  return swapped;
}

export function planDial(publicUrl: URL, map: NetworkMap = {}): DialPlan {
  const target = mappedOrigin(publicUrl, normalise(map));
  if (target) {
    const dialUrl = new URL(publicUrl.pathname + publicUrl.search, target);
    const secure = publicUrl.protocol === 'https:' || publicUrl.protocol === 'wss:';
    return {
      publicUrl,
      dialUrl,
      proxyHeaders: {
        host: publicUrl.host,
        'x-forwarded-proto': secure ? 'https' : 'http',
        'x-forwarded-host': publicUrl.host,
        'x-forwarded-for': TWILIO_EGRESS_IP,
      },
      downgraded: false,
    };
  }
  const plain = PLAIN[publicUrl.protocol];
  if (plain && isLoopback(publicUrl.hostname)) {
    const dialUrl = new URL(publicUrl.href);
    dialUrl.protocol = plain;
    // The emulator stands in for the TLS terminator, so it says what the scheme was.
    return { publicUrl, dialUrl, proxyHeaders: { 'x-forwarded-proto': 'https' }, downgraded: true };
  }
  return { publicUrl, dialUrl: new URL(publicUrl.href), proxyHeaders: {}, downgraded: false };
}
