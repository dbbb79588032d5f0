// The steady stream of Twilio traffic the crash runs kill the server under: signed incoming
// calls, status callbacks in sequence, retries of both, and stream claims. Only what the server
// answered 2xx goes into the ledger the checks hold the store to; anything cut by the kill is
// just lost traffic, as it would be for Twilio.
import WebSocket from 'ws';
import twilio from 'twilio';
import { encodeConnected, encodeStart } from '../../src/twilio/stream-messages.js';
import { newCallSid } from '../support/server.js';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_HOST } from './server-process.js';

export interface AckedCall {
  callSid: string;
  token: string;
  /** Status callbacks answered 2xx: status → sequence number. */
  statuses: Map<string, number>;
  /** Webhooks that were sent again (same parameters) and answered 2xx again. */
  retried: number;
  /** The round it was acknowledged in. */
  round: number;
}

export class Ledger {
  readonly calls = new Map<string, AckedCall>();
  webhooksAcked = 0;
  claimsTried = 0;
}

const STATUSES = ['in-progress', 'completed'] as const;

function signedPost(origin: string, route: string, params: Record<string, string>): Promise<Response> {
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}${route}`, params);
  return fetch(`${origin}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(5000),
  });
}

const incomingParams = (callSid: string) => ({
  CallSid: callSid,
  AccountSid: ACCOUNT_SID,
  From: '+972501234567',
  To: '+97231234567',
  CallStatus: 'ringing',
  Direction: 'inbound',
});

async function incoming(
  origin: string,
  ledger: Ledger,
  round: number,
  callSid = newCallSid(),
): Promise<void> {
  const res = await signedPost(origin, '/webhook/incoming_call', incomingParams(callSid));
  const xml = await res.text();
  if (!res.ok) return;
  ledger.webhooksAcked += 1;
  const token = /name="token" value="([^"]+)"/.exec(xml)?.[1];
  const known = ledger.calls.get(callSid);
  if (known) known.retried += 1;
  else if (token) ledger.calls.set(callSid, { callSid, token, statuses: new Map(), retried: 0, round });
}

async function status(origin: string, ledger: Ledger, call: AckedCall, retry: boolean): Promise<void> {
  const index = retry ? Math.max(0, call.statuses.size - 1) : call.statuses.size;
  const next = STATUSES[index];
  if (!next) return;
  const seq = index + 1;
  const res = await signedPost(origin, '/webhook/call_status', {
    CallSid: call.callSid,
    CallStatus: next,
    SequenceNumber: String(seq),
    AccountSid: ACCOUNT_SID,
  });
  await res.arrayBuffer();
  if (!res.ok) return;
  ledger.webhooksAcked += 1;
  if (call.statuses.has(next)) call.retried += 1;
  call.statuses.set(next, seq);
}

/**
 * Opens the call's stream and sends its `start`: the close code if the server closed it within
 * `ms` (1008 = refused), else 0 (accepted and still open), -1 if it never opened.
 */
export async function claim(
  origin: string,
  call: Pick<AckedCall, 'callSid' | 'token'>,
  ms: number,
): Promise<number> {
  const url = new URL(origin);
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `wss://${PUBLIC_HOST}/ws/twilio-media`, {});
  const ws = new WebSocket(`ws://${url.host}/ws/twilio-media`, {
    headers: { 'x-twilio-signature': signature },
  });
  ws.on('error', () => undefined);
  const opened = await new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('close', () => resolve(false));
    ws.once('unexpected-response', () => resolve(false));
  });
  if (!opened) return -1;
  ws.send(encodeConnected());
  ws.send(
    encodeStart({
      sequenceNumber: 1,
      accountSid: ACCOUNT_SID,
      streamSid: `MZ${call.callSid.slice(2)}`,
      callSid: call.callSid,
      customParameters: { token: call.token },
    }),
  );
  const code = await new Promise<number>((resolve) => {
    const timer = setTimeout(() => resolve(0), ms);
    ws.once('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  ws.terminate();
  return code;
}

/** Runs `workers` loops of mixed traffic until `stop()`; never throws (the server may be gone). */
export function startLoad(
  origin: string,
  ledger: Ledger,
  round: number,
  workers = 6,
): { stop(): Promise<void> } {
  let running = true;
  const pick = <T>(items: T[]): T | undefined => items[Math.floor(Math.random() * items.length)];
  const loop = async () => {
    while (running) {
      const r = Math.random();
      const recent = [...ledger.calls.values()].filter((c) => c.round === round);
      try {
        if (r < 0.4 || recent.length === 0) await incoming(origin, ledger, round);
        else if (r < 0.7) await status(origin, ledger, pick(recent)!, false);
        else if (r < 0.8) await incoming(origin, ledger, round, pick(recent)!.callSid);
        else if (r < 0.87) await status(origin, ledger, pick(recent)!, true);
        else {
          ledger.claimsTried += 1;
          await claim(origin, pick(recent)!, 300);
        }
      } catch {
        // Refused or reset by the kill: traffic lost in flight, never acknowledged.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const loops = Array.from({ length: workers }, () => loop());
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}
