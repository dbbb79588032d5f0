// Opening a Media Stream as Twilio does: check the <Stream url> (wss only, no query string), then a
// WebSocket upgrade signed with a lowercase x-twilio-signature over the wss:// URL as written (no
// params). Every failure is named with the Twilio code it causes (31901/31902/31910/31920/31922/31923).
import tls from 'node:tls';
import WebSocket from 'ws';
import twilio from 'twilio';
import { classifyNetError } from './http-client.js';
import { planDial, type NetworkMap } from './network.js';

export type UrlCheck =
  { ok: true; url: URL } | { ok: false; code: 31920 | 31922 | 31923 | 15004; reason: string };

/**
 * Resolves and checks a <Stream url>: relative URLs resolve against the TwiML document's URL (a
 * document from the REST API has none: 15004); only wss is accepted; a query string is refused.
 */
export function checkStreamUrl(raw: string, documentUrl: string | undefined): UrlCheck {
  const text = raw.trim();
  if (text === '') return { ok: false, code: 31923, reason: '<Stream> has no url' };
  if (/\s/.test(text) || /^[a-z][a-z0-9+.-]*\/\//i.test(text)) {
    return { ok: false, code: 31923, reason: `malformed stream URL ${JSON.stringify(text)}` };
  }
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(text);
  if (!absolute && !documentUrl) {
    return { ok: false, code: 15004, reason: `relative stream URL ${text} in TwiML passed to the REST API` };
  }
  let url: URL;
  try {
    url = new URL(text, documentUrl);
  } catch {
    return { ok: false, code: 31923, reason: `malformed stream URL ${JSON.stringify(text)}` };
  }
  if (!absolute) {
    // Relative to an https document means the same host over wss.
    if (url.protocol === 'https:') url.protocol = 'wss:';
    else if (url.protocol === 'http:') url.protocol = 'ws:';
  }
  if (url.protocol !== 'wss:') {
    return {
      ok: false,
      code: 31922,
      reason: `stream URL scheme is ${url.protocol.replace(':', '')}://, Twilio only connects to wss://`,
    };
  }
  if (!url.hostname) return { ok: false, code: 31923, reason: `stream URL ${text} has no host` };
  if (url.search || text.includes('?')) {
    return {
      ok: false,
      code: 31920,
      reason: `stream URL has a query string (${url.search}); Twilio does not support one, use <Parameter>`,
    };
  }
  return { ok: true, url };
}

export interface ConnectSpec {
  /** The checked public wss:// URL. */
  url: URL;
  authToken: string;
  map: NetworkMap;
  /** PEM of a CA to trust besides the system's (a test's own CA behind its TLS proxy). */
  ca?: string | undefined;
  timeoutMs: number;
}

export type ConnectOutcome =
  | { ok: true; ws: WebSocket; ms: number; dialled: string; signedUrl: string; downgraded: boolean }
  | {
      ok: false;
      code: 31901 | 31902 | 31910 | 31920;
      reason: string;
      ms: number;
      dialled: string;
      signedUrl: string;
      status?: number;
      location?: string;
    };

export function connectStream(spec: ConnectSpec): Promise<ConnectOutcome> {
  const started = performance.now();
  const signedUrl = spec.url.href;
  const plan = planDial(spec.url, spec.map);
  const dialled = plan.dialUrl.href;
  const signature = twilio.getExpectedTwilioSignature(spec.authToken, signedUrl, {});
  const secure = plan.dialUrl.protocol === 'wss:';
  let ws: WebSocket;
  try {
    ws = new WebSocket(dialled, {
      headers: { 'user-agent': 'Twilio.TmeWs/1.0', 'x-twilio-signature': signature, ...plan.proxyHeaders },
      followRedirects: false,
      perMessageDeflate: false,
      handshakeTimeout: spec.timeoutMs,
      ...(secure && plan.proxyHeaders.host ? { servername: spec.url.hostname } : {}),
      ...(secure && spec.ca ? { ca: [...tls.rootCertificates, spec.ca] } : {}),
    });
  } catch (err) {
    // Only a network map pointing at something that is not a ws/wss/http(s) URL gets here.
    return Promise.resolve({
      ok: false,
      code: 31920,
      reason: `cannot dial ${dialled}: ${(err as Error).message}`,
      ms: 0,
      dialled,
      signedUrl,
    });
  }

  return new Promise<ConnectOutcome>((resolve) => {
    let settled = false;
    const ms = () => Math.round(performance.now() - started);
    const fail = (code: 31901 | 31902 | 31910 | 31920, reason: string, extra: object = {}) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok: false, code, reason, ms: ms(), dialled, signedUrl, ...extra });
      ws.terminate();
    };
    const timer = setTimeout(
      () => fail(31901, `no answer to the upgrade within ${spec.timeoutMs} ms`),
      spec.timeoutMs,
    );
    ws.on('unexpected-response', (_req, res) => {
      const location = res.headers.location;
      const status = res.statusCode ?? 0;
      res.resume();
      const what =
        status >= 300 && status < 400
          ? `HTTP ${status} redirect${location ? ` to ${location}` : ''}; Twilio does not follow redirects`
          : `HTTP ${status}`;
      fail(31920, `upgrade answered ${what} instead of 101 Switching Protocols`, {
        status,
        ...(location ? { location } : {}),
      });
    });
    ws.on('error', (err) => {
      if (settled) return;
      if (/handshake has timed out/i.test(err.message)) return fail(31901, err.message);
      const c = classifyNetError(err);
      if (c.failure === 'refused') return fail(31902, `connection refused: ${c.message}`);
      if (c.failure === 'tls') return fail(31910, `TLS failed: ${c.message}`);
      if (c.failure === 'dns' || c.failure === 'connect-timeout') return fail(31901, c.message);
      fail(31920, `the upgrade failed without a 101: ${c.message}`);
    });
    ws.once('open', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok: true, ws, ms: ms(), dialled, signedUrl, downgraded: plan.downgraded });
    });
  });
}
