// Webhook latency and media-stream handshake time against the built server in its own process:
// signed incoming_call → TwiML, and signed WebSocket upgrade → open → start accepted.
// Run: npm run build && npx tsx bench/edge-latency.ts [--n 300]
import twilio from 'twilio';
import WebSocket from 'ws';
import { fmt, startServerProcess, summarise } from './support.js';
import { encodeConnected, encodeStart } from '../src/twilio/stream-messages.js';

const TOKEN = 'bench-auth-token-0123456789abcdef';
const ACCOUNT = 'AC' + '0'.repeat(32);
const n = Number(process.argv[process.argv.indexOf('--n') + 1]) || 300;
/** The first calls wait for the prompts the server renders at start-up: measured apart. */
const WARMUP = 10;

function callSid(i: number): string {
  return 'CA' + (Date.now().toString(16) + i.toString(16).padStart(8, '0')).padStart(32, '0').slice(-32);
}

async function main() {
  const server = await startServerProcess({ TWILIO_AUTH_TOKEN: TOKEN, TWILIO_ACCOUNT_SID: ACCOUNT });
  try {
    const url = `${server.origin}/webhook/incoming_call`;
    const webhook: number[] = [];
    const handshake: number[] = [];
    const startAccepted: number[] = [];
    const wsSig = twilio.getExpectedTwilioSignature(TOKEN, `wss://${server.host}/ws/twilio-media`, {});
    for (let i = 0; i < n + WARMUP; i++) {
      if (i === WARMUP) [webhook, handshake, startAccepted].forEach((a) => a.splice(0));
      const sid = callSid(i);
      const params = {
        CallSid: sid,
        AccountSid: ACCOUNT,
        From: '+972501234567',
        To: '+97231234567',
        CallStatus: 'ringing',
      };
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, url, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      const xml = await res.text();
      webhook.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${xml}`);
      const token = /name="token" value="([^"]+)"/.exec(xml)?.[1] ?? '';

      const t1 = performance.now();
      const ws = new WebSocket(`ws://${server.host}/ws/twilio-media`, {
        headers: { 'x-twilio-signature': wsSig },
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      handshake.push(performance.now() - t1);
      // "Start accepted" = the first outbound frame (the flow agent's first prompt) arrives.
      const streamSid = 'MZ' + sid.slice(2);
      const t2 = performance.now();
      const first = new Promise<void>((resolve) => ws.once('message', () => resolve()));
      ws.send(encodeConnected());
      ws.send(
        encodeStart({
          sequenceNumber: 1,
          accountSid: ACCOUNT,
          streamSid,
          callSid: sid,
          customParameters: { token },
        }),
      );
      await first;
      startAccepted.push(performance.now() - t2);
      ws.close();
    }
    const row = (name: string, s: number[]) => {
      const r = summarise(s);
      console.log(`${name.padEnd(44)} n=${r.n}  p50 ${fmt(r.p50)}  p99 ${fmt(r.p99)}  max ${fmt(r.max)}`);
    };
    console.log(
      `AgentLocator edge latency (loopback, sequential, server in its own process, ${WARMUP} warm-up calls)`,
    );
    row('incoming_call webhook → TwiML', webhook);
    row('WebSocket upgrade (signed) → open', handshake);
    row('start frame → first agent audio frame', startAccepted);
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
