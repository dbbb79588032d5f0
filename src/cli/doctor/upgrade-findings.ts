// Names a failed WebSocket upgrade the way the seed does: a redirect, a 404, a 400, a 403 (a
// signature check wrapped around the WS route), a 200 (no real WebSocket support), refused,
// timed out or TLS — each with the Twilio error it causes and the fix.
import type { ProbeRecord } from './context.js';
import type { Finding } from './types.js';
import { twilioError } from './twilio-facts.js';

/** "answered HTTP 404", "was refused", …: what the probe got, for sentences. */
export function probeOutcome(probe: ProbeRecord): string {
  if (probe.ok) return `answered 101 in ${probe.ms} ms`;
  if (probe.status !== undefined) {
    const where = probe.location ? ` to ${probe.location}` : '';
    return probe.status >= 300 && probe.status < 400
      ? `answered a ${probe.status} redirect${where}`
      : `answered HTTP ${probe.status}`;
  }
  return probe.message ?? 'failed';
}

export function upgradeFinding(probe: ProbeRecord, label: string): Finding {
  const twilio = twilioError(probe.code ?? 31920);
  const base = { severity: 'fail' as const, twilio };
  const status = probe.status;
  if (probe.code === 31902) {
    return {
      ...base,
      cause: 'ws-refused',
      message: `${label}: the connection was refused; nothing listens there.`,
      fix: 'check the host and port in the Stream URL, and that the server (and your proxy) are running',
    };
  }
  if (probe.code === 31901) {
    return {
      ...base,
      cause: 'ws-timeout',
      message: `${label}: no answer to the upgrade (${probe.message ?? 'timed out'}).`,
      fix: 'check DNS, firewalls (TCP 443 open to Twilio) and that the proxy forwards WebSocket upgrades',
    };
  }
  if (probe.code === 31910) {
    return {
      ...base,
      cause: 'ws-tls',
      message: `${label}: the TLS handshake failed (${probe.message ?? 'TLS error'}).`,
      fix: 'serve wss:// with a valid certificate for this host on port 443 (an HTTP tunnel, not a TCP one)',
    };
  }
  if (status !== undefined && status >= 300 && status < 400) {
    return {
      ...base,
      cause: 'ws-redirect',
      message: `${label} answered a ${status} redirect${probe.location ? ` to ${probe.location}` : ''} instead of 101; Twilio does not follow redirects.`,
      fix: 'serve the WebSocket on exactly this URL; make the proxy and the app not redirect /ws/* (http→https, apex→www, trailing slash)',
    };
  }
  if (status === 404) {
    return {
      ...base,
      cause: 'ws-not-found',
      message: `${label} answered 404: nothing serves a WebSocket on this path (wrong path, WebSocket not enabled, or a proxy that does not forward Upgrade/Connection — nginx then answers 404).`,
      fix: 'serve the WebSocket on /ws/twilio-media and /ws/twilio-media/; in nginx set proxy_http_version 1.1 and the Upgrade/Connection headers',
    };
  }
  if (status === 400) {
    return {
      ...base,
      cause: 'ws-bad-request',
      message: `${label} answered 400: the upgrade was refused as a bad request (a proxy mangling the Upgrade headers, a query string, or a handler that rejects Twilio’s handshake).`,
      fix: 'let the WebSocket route accept a plain upgrade with no query string; check the proxy’s Upgrade/Connection forwarding',
    };
  }
  if (status === 401 || status === 403) {
    return {
      ...base,
      cause: 'ws-forbidden',
      message: `${label} answered ${status} to Twilio’s signed upgrade: a signature check wrapped around the WS route (the HTTP form check never matches an upgrade), or a different auth token.`,
      fix: 'check the upgrade with validateRequest(token, x-twilio-signature, "wss://<host>/ws/twilio-media", {}) — not the webhook middleware',
    };
  }
  if (status === 200) {
    return {
      ...base,
      cause: 'ws-no-websocket',
      message: `${label} answered 200 like a plain page: the server has no real WebSocket support there.`,
      fix: 'run a server that speaks WebSocket (npm start / agentlocator serve), not a dev server or a worker that cannot upgrade',
    };
  }
  if (status === 426) {
    return {
      ...base,
      cause: 'ws-upgrade-stripped',
      message: `${label} answered 426: the request reached the server without its Upgrade headers (a proxy dropped them).`,
      fix: 'make the proxy forward Upgrade and Connection (nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade")',
    };
  }
  if (status !== undefined && status >= 500) {
    return {
      ...base,
      cause: 'ws-server-error',
      message: `${label} answered HTTP ${status}: the server or a proxy failed on the upgrade.`,
      fix: 'read the proxy and server logs for this request',
    };
  }
  return {
    ...base,
    cause: status !== undefined ? 'ws-http-status' : 'ws-handshake',
    message: `${label} ${probeOutcome(probe)} instead of 101 Switching Protocols.`,
    fix: 'serve a WebSocket that answers Twilio’s upgrade with 101 on this URL',
  };
}

/** The same URL with the trailing slash toggled: /ws/twilio-media ⇄ /ws/twilio-media/. */
export function trailingSlashTwin(url: string): string {
  const u = new URL(url);
  u.pathname =
    u.pathname.endsWith('/') && u.pathname !== '/' ? u.pathname.replace(/\/+$/, '') : `${u.pathname}/`;
  return u.href;
}
