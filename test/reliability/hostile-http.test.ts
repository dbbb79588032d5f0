// Hostile HTTP against the server as its own process (issue 15, part 5): slow headers and bodies
// (slowloris), oversized headers, 10 000 media upgrades that never send `start`. Each is cut
// within its deadline with a 4xx (or 503 before the upgrade) and a log line, the server's RSS
// stays bounded, and a good call placed during the attack goes through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { freePort } from '../support/server.js';
import { until } from '../support/until.js';
import {
  AUTH_TOKEN,
  PUBLIC_HOST,
  logLines,
  startServerProcess,
  type ServerProcess,
} from './server-process.js';
import { badCall, placeGoodCall, startTwilio, type Twilio } from './good-call.js';
import { dribble, rawConnect, statusOf, upgradeWithoutStart, type RawConn } from './raw-client.js';

const HEADERS_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 3000;
/** Node checks its deadlines every second (app.ts): a socket may outlive its deadline by that. */
const CHECK_SLACK_MS = 1500;
const START_TIMEOUT_MS = REQUEST_TIMEOUT_MS + CHECK_SLACK_MS + 1500;
const MB = 1024 * 1024;

let server: ServerProcess;
let t: Twilio;
let baselineRss = 0;

beforeAll(async () => {
  const port = await freePort();
  t = await startTwilio(port);
  server = await startServerProcess({
    port,
    env: {
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      TWILIO_API_BASE_URL: t.rest.url,
      // Longer than the HTTP deadlines: an upgraded socket must outlive them.
      STREAM_START_TIMEOUT_MS: String(START_TIMEOUT_MS),
    },
  });
  // One call first: everything a call loads is loaded before the baseline is taken.
  expect(badCall(await placeGoodCall(t))).toBeUndefined();
  baselineRss = server.rss();
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.stop();
});

/** Samples the server's RSS while `work` runs; resolves with work's value and the peak. */
async function peakRss<T>(work: Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = server.rss();
  const timer = setInterval(() => (peak = Math.max(peak, server.rss())), 100);
  try {
    return { value: await work, peak };
  } finally {
    clearInterval(timer);
  }
}

const clientErrors = (status: number) =>
  logLines(server.logFile).filter((l) => l.msg.startsWith('HTTP_CLIENT_ERROR') && l.status === status).length;

describe('hostile HTTP', () => {
  it('cuts 300 slowloris header senders at the headers deadline (408) while a call goes through', async () => {
    const before = clientErrors(408);
    const conns: RawConn[] = await Promise.all(Array.from({ length: 300 }, () => rawConnect(server.port)));
    for (const [i, c] of conns.entries())
      dribble(c, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-${i}: `, 'a', 200);
    const { value, peak } = await peakRss(
      Promise.all([placeGoodCall(t), Promise.all(conns.map((c) => c.closed))]),
    );
    const [call, closedAfter] = value;
    expect(badCall(call)).toBeUndefined();
    expect(Math.max(...closedAfter)).toBeLessThan(HEADERS_TIMEOUT_MS + CHECK_SLACK_MS + 1000);
    expect(conns.every((c) => statusOf(c.received()) === 408)).toBe(true);
    await until(() => clientErrors(408) - before, '300 HTTP_CLIENT_ERROR 408 lines', {
      is: (n) => n === 300,
    });
    expect(peak - baselineRss).toBeLessThan(64 * MB);
  }, 30_000);

  it('cuts slow bodies at the request deadline (408) on the webhook route', async () => {
    const conns = await Promise.all(Array.from({ length: 50 }, () => rawConnect(server.port)));
    for (const c of conns)
      dribble(
        c,
        'POST /webhook/incoming_call HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
          'Content-Length: 4000\r\n\r\nCallSid=',
        'a',
        200,
      );
    const closedAfter = await Promise.all(conns.map((c) => c.closed));
    expect(Math.max(...closedAfter)).toBeLessThan(REQUEST_TIMEOUT_MS + CHECK_SLACK_MS + 1000);
    expect(Math.min(...closedAfter)).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(conns.every((c) => statusOf(c.received()) === 408)).toBe(true);
  }, 20_000);

  it('answers 431 to oversized headers and keeps serving', async () => {
    const before = clientErrors(431);
    const answers = await Promise.all(
      [17 * 1024, 64 * 1024, 1024 * 1024].map(async (size) => {
        const c = await rawConnect(server.port);
        c.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(size)}\r\n\r\n`);
        await c.closed;
        return statusOf(c.received());
      }),
    );
    expect(answers).toEqual([431, 431, 431]);
    await until(() => clientErrors(431) - before, 'three HTTP_CLIENT_ERROR 431 lines', {
      is: (n) => n === 3,
    });
    // Many small headers under the size limit are an ordinary request.
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x-h${i}`, 'v']));
    expect((await fetch(`${server.origin}/healthz`, { headers: many })).status).toBe(200);
  });

  it('leaves an upgraded socket to the stream’s own deadline, not the HTTP ones', async () => {
    const c = await rawConnect(server.port);
    const signature = twilio.getExpectedTwilioSignature(
      AUTH_TOKEN,
      `wss://${PUBLIC_HOST}/ws/twilio-media`,
      {},
    );
    c.socket.write(
      'GET /ws/twilio-media HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
        `X-Twilio-Signature: ${signature}\r\n\r\n`,
    );
    // The server's close frame (start timeout) after the 101 head ends it.
    c.socket.on('data', () => {
      const text = c.received();
      if (text.length > text.indexOf('\r\n\r\n') + 4 && text.includes('\r\n\r\n')) c.socket.destroy();
    });
    const closedAfter = await c.closed;
    expect(statusOf(c.received())).toBe(101);
    expect(closedAfter).toBeGreaterThanOrEqual(START_TIMEOUT_MS - 100);
  }, 20_000);

  it('survives 10 000 upgrades that never send start, and a call gets through meanwhile', async () => {
    const signature = twilio.getExpectedTwilioSignature(
      AUTH_TOKEN,
      `wss://${PUBLIC_HOST}/ws/twilio-media`,
      {},
    );
    const statuses = new Map<number, number>();
    let next = 0;
    const TOTAL = 10_000;
    // Three attacking addresses: each is held at STREAM_MAX_PENDING_PER_ADDRESS (64), so Twilio's
    // own address (127.0.0.1) still finds room under STREAM_MAX_PENDING (256).
    const worker = async (w: number) => {
      while (next < TOTAL) {
        next += 1;
        const status = await upgradeWithoutStart(server.port, signature, {
          localAddress: `127.0.0.${2 + (w % 3)}`,
          hold: next % 2 === 0,
        });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    const attack = Promise.all(Array.from({ length: 48 }, (_, w) => worker(w)));
    const { value, peak } = await peakRss(
      Promise.all([attack, new Promise((r) => setTimeout(r, 1000)).then(() => placeGoodCall(t))]),
    );
    expect(badCall(value[1])).toBeUndefined();
    expect([...statuses.keys()].sort()).toEqual([101, 503]);
    expect((statuses.get(101) ?? 0) + (statuses.get(503) ?? 0)).toBe(TOTAL);
    expect(peak - baselineRss).toBeLessThan(128 * MB);
    // And afterwards, one more good call.
    expect(badCall(await placeGoodCall(t))).toBeUndefined();
    console.warn(
      `10 000 upgrades without start: ${JSON.stringify(Object.fromEntries(statuses))}, peak RSS +${Math.round((peak - baselineRss) / MB)} MB`,
    );
  }, 120_000);
});
