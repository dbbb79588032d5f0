// A WebSocket upgrade with a chosen signature (none, or one over another URL), dialled the way the
// emulator dials: the doctor's evidence for how the WS route checks signatures. Owns its socket.
import twilio from 'twilio';
import WebSocket from 'ws';
import { planDial, type NetworkMap } from '../../emulator/index.js';

export interface RawUpgradeResult {
  ok: boolean;
  status?: number;
  message?: string;
}

export function rawUpgrade(spec: {
  /** The wss:// URL to open. */
  url: string;
  /** Sign over this URL (with no params), or send no signature when null. */
  signOver: string | null;
  authToken: string;
  map: NetworkMap;
  timeoutMs: number;
}): Promise<RawUpgradeResult> {
  const plan = planDial(new URL(spec.url), spec.map);
  const headers: Record<string, string> = { 'user-agent': 'Twilio.TmeWs/1.0', ...plan.proxyHeaders };
  if (spec.signOver !== null) {
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(spec.authToken, spec.signOver, {});
  }
  const ws = new WebSocket(plan.dialUrl.href, {
    headers,
    followRedirects: false,
    perMessageDeflate: false,
    handshakeTimeout: spec.timeoutMs,
  });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: RawUpgradeResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      finish({ ok: false, status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', (err) => {
      finish({ ok: false, message: err.message });
      ws.terminate();
    });
    ws.once('open', () => {
      finish({ ok: true, status: 101 });
      ws.close(1000, 'doctor probe');
    });
  });
}
