// A media-stream client for the security tests: signed (or unsigned) upgrades from a chosen local
// address, a call's token from a signed incoming_call, start frames with any sids, and an echo
// agent so a test can prove another call still works.
import WebSocket from 'ws';
import twilio from 'twilio';
import type { AgentFactory, CallControl, CallInfo } from '../../src/agents/agent.js';
import { encodeConnected, encodeInboundMedia, encodeStart } from '../../src/twilio/stream-messages.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  incomingCallParams,
  newCallSid,
  postSigned,
  type TestServer,
} from '../support/server.js';

export interface Opened {
  ws: WebSocket;
  received: string[];
  closed: Promise<{ code: number; reason: string }>;
}

export function connect(
  s: TestServer,
  opts: { signed?: boolean; localAddress?: string } = {},
): Promise<Opened> {
  const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, `wss://${s.host}/ws/twilio-media`, {});
  const ws = new WebSocket(`ws://${s.host}/ws/twilio-media`, {
    headers: opts.signed === false ? {} : { 'x-twilio-signature': signature },
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  const received: string[] = [];
  ws.on('message', (d: Buffer) => received.push(d.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, received, closed }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

/** A call as Twilio starts it: a signed incoming_call, and the token from its TwiML. */
export async function newCall(s: TestServer): Promise<{ callSid: string; token: string }> {
  const callSid = newCallSid();
  const xml = await (
    await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid))
  ).text();
  const token = /name="token" value="([^"]+)"/.exec(xml)?.[1];
  if (!token) throw new Error(`no token in ${xml}`);
  return { callSid, token };
}

export function sendStart(
  o: Opened,
  callSid: string,
  token: string,
  streamSid = `MZ${callSid.slice(2)}`,
): string {
  o.ws.send(encodeConnected());
  o.ws.send(
    encodeStart({
      sequenceNumber: 1,
      accountSid: TEST_ACCOUNT_SID,
      streamSid,
      callSid,
      customParameters: { token },
    }),
  );
  return streamSid;
}

export const SILENCE = Buffer.alloc(160, 0xff).toString('base64');

export function sendMedia(o: Opened, streamSid: string, n: number): void {
  o.ws.send(
    encodeInboundMedia({ sequenceNumber: n + 1, streamSid, chunk: n, timestampMs: n * 20, payload: SILENCE }),
  );
}

/** Resolves with the close, or rejects if the socket is still open after `ms`. */
export function closedWithin(o: Opened, ms: number): Promise<{ code: number; reason: string }> {
  return Promise.race([
    o.closed,
    new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms)),
  ]);
}

export async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Echoes every caller frame back, so the outbound path of a call shows it is alive. */
export function echoAgents(): AgentFactory & { started: CallInfo[] } {
  const started: CallInfo[] = [];
  return {
    name: 'echo-test',
    started,
    health: () => 'ok',
    create: () => {
      let control: CallControl | undefined;
      return {
        start: async (call, c) => {
          started.push(call);
          control = c;
        },
        onAudio: (frame) => control?.play(frame.bytes()),
        onDtmf: () => undefined,
        close: async () => undefined,
      };
    },
  };
}

/** A live call through the echo agent, proven by one echoed frame. */
export async function liveCall(
  s: TestServer,
): Promise<{ o: Opened; streamSid: string; echoes(): Promise<void> }> {
  const { callSid, token } = await newCall(s);
  const o = await connect(s);
  const streamSid = sendStart(o, callSid, token);
  let n = 0;
  // A frame every 50 ms until one comes back (the first may precede the agent's start).
  const echoes = async () => {
    const before = o.received.length;
    let last = 0;
    await until(() => {
      if (Date.now() - last >= 50) {
        sendMedia(o, streamSid, ++n);
        last = Date.now();
      }
      return o.received.length > before;
    });
  };
  await echoes();
  return { o, streamSid, echoes };
}
