// How the load generator opens one stream. Against AgentLocator: as Twilio does, a signed
// incoming_call webhook, the TwiML's <Stream> and its token <Parameter>, then a WebSocket upgrade
// signed over the wss:// URL. Against the bare relay: just the WebSocket.
import twilio from 'twilio';
import WebSocket from 'ws';
import type { StreamIdentity } from './twilio-leg.js';

export const BENCH_AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';
export const BENCH_ACCOUNT_SID = 'AC' + 'be'.repeat(16);

export interface Dialled {
  ws: WebSocket;
  id: StreamIdentity;
}

export type Dialer = (index: number) => Promise<Dialled>;

function hexSid(prefix: string, run: string, index: number): string {
  return prefix + (run + index.toString(16).padStart(8, '0')).padStart(32, '0').slice(-32);
}

function openSocket(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false, handshakeTimeout: 10_000 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(new Error(`upgrade answered HTTP ${res.statusCode}`));
      ws.terminate();
    });
  });
}

/** AgentLocator at `origin` (http://127.0.0.1:PORT): webhook, TwiML, signed upgrade, token. */
export function agentLocatorDialer(origin: string): Dialer {
  const run = Date.now().toString(16);
  const host = new URL(origin).host;
  const webhookUrl = `${origin}/webhook/incoming_call`;
  return async (index) => {
    const callSid = hexSid('CA', run, index);
    const params = {
      CallSid: callSid,
      AccountSid: BENCH_ACCOUNT_SID,
      From: '+972501234567',
      To: '+97231234567',
      CallStatus: 'ringing',
      Direction: 'inbound',
    };
    const res = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(BENCH_AUTH_TOKEN, webhookUrl, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    const xml = await res.text();
    if (res.status !== 200) throw new Error(`incoming_call answered ${res.status}`);
    const streamUrl = /<Stream[^>]* url="([^"]+)"/.exec(xml)?.[1];
    const token = /<Parameter name="token" value="([^"]+)"/.exec(xml)?.[1];
    if (!streamUrl || !token) throw new Error('the TwiML has no <Stream url> or no token <Parameter>');
    // Twilio signs the wss:// URL as written and dials it; loopback has no TLS, so ws:// is dialled.
    const signature = twilio.getExpectedTwilioSignature(BENCH_AUTH_TOKEN, streamUrl, {});
    const ws = await openSocket(streamUrl.replace(/^wss:\/\/[^/]+/, `ws://${host}`), {
      'x-twilio-signature': signature,
    });
    return {
      ws,
      id: {
        callSid,
        streamSid: hexSid('MZ', run, index),
        accountSid: BENCH_ACCOUNT_SID,
        customParameters: { token },
      },
    };
  };
}

/** The bare relay: no webhook, no signature, no token. */
export function bareDialer(wsUrl: string): Dialer {
  const run = Date.now().toString(16);
  return async (index) => ({
    ws: await openSocket(wsUrl, {}),
    id: {
      callSid: hexSid('CA', run, index),
      streamSid: hexSid('MZ', run, index),
      accountSid: BENCH_ACCOUNT_SID,
      customParameters: {},
    },
  });
}
