// The emulator's live line (the dashboard's test call): frames pushed into a LiveAudioQueue go out
// one per 20 ms media message in order, silence fills the gaps, the agent's audio reaches hear()
// as it starts to play (not when it arrives), and a `clear` from the server reaches cleared().
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import {
  LIVE_FRAME_BYTES,
  LiveAudioQueue,
  TwilioEmulator,
  type EmulatedCall,
  type LiveCaller,
} from '../../src/emulator/index.js';
import { useCleanup } from '../support/cleanup.js';
import { until } from '../support/until.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PUBLIC_HOST,
  onStart,
  startMiniServer,
  streamTwiml,
  xml,
} from './support.js';

const defer = useCleanup();

interface Line {
  call: EmulatedCall;
  ws: WebSocket;
  streamSid: string;
  queue: LiveAudioQueue;
  heard: { at: number; bytes: Uint8Array }[];
  clears: number[];
  /** Caller payloads the server received, decoded. */
  received: Buffer[];
}

async function liveLine(): Promise<Line> {
  let resolveSocket!: (v: { ws: WebSocket; streamSid: string }) => void;
  const socket = new Promise<{ ws: WebSocket; streamSid: string }>((r) => (resolveSocket = r));
  const received: Buffer[] = [];
  const server = await startMiniServer({
    wsPaths: ['/ws/twilio-media'],
    routes: {
      '/webhook/incoming_call': () => streamTwiml(`wss://${PUBLIC_HOST}/ws/twilio-media`),
      '/webhook/stream_status': () => ({ status: 204 }),
      '/webhook/stream_ended': () => xml(''),
    },
    onSocket: (ws) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as { event: string; media?: { payload: string } };
        if (msg.event === 'media') received.push(Buffer.from(msg.media!.payload, 'base64'));
      });
      void onStart(ws).then((streamSid) => resolveSocket({ ws, streamSid }));
    },
  });
  defer(() => server.close());
  const emulator = new TwilioEmulator({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    networkMap: { [`https://${PUBLIC_HOST}`]: server.origin },
  });
  defer(() => emulator.close());
  const queue = new LiveAudioQueue();
  const heard: Line['heard'] = [];
  const clears: number[] = [];
  const live: LiveCaller = {
    nextFrame: () => queue.nextFrame(),
    hear: (bytes) => heard.push({ at: performance.now(), bytes: Uint8Array.from(bytes) }),
    cleared: () => clears.push(performance.now()),
  };
  // silence: false — the live line keeps the 20 ms cadence by itself.
  const call = emulator.placeCall({
    webhookUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
    caller: { live, silence: false },
  });
  const { ws, streamSid } = await socket;
  return { call, ws, streamSid, queue, heard, clears, received };
}

describe('a live caller', () => {
  it('sends pushed frames in order on the 20 ms cadence, and silence when the queue is empty', async () => {
    const line = await liveLine();
    await until(() => line.received.length >= 3, 'three caller frames');
    // Nothing pushed yet: a live line carries silence.
    expect(
      line.received.slice(0, 3).every((f) => f.length === LIVE_FRAME_BYTES && f.every((b) => b === 0xff)),
    ).toBe(true);
    const start = line.received.length;
    for (const value of [0x11, 0x22, 0x33]) line.queue.push(new Uint8Array(LIVE_FRAME_BYTES).fill(value));
    const t0 = performance.now();
    await until(() => line.received.length >= start + 8, 'eight more caller frames');
    const elapsed = performance.now() - t0;
    const firsts = line.received.slice(start).map((f) => f[0]);
    const spoken = firsts.filter((b) => b !== 0xff);
    expect(spoken).toEqual([0x11, 0x22, 0x33]);
    // Eight frames take about 160 ms of line time, never a burst.
    expect(elapsed).toBeGreaterThan(100);
    const result = await line.call.hangUp();
    expect(result.streams[0]!.audioBytesSent).toBe(3 * LIVE_FRAME_BYTES);
    expect(result.violations).toEqual([]);
  });

  it('hands the agent audio to hear() as each chunk starts to play, and a clear to cleared()', async () => {
    const line = await liveLine();
    const send = (msg: object) => line.ws.send(JSON.stringify({ ...msg, streamSid: line.streamSid }));
    const sentAt = performance.now();
    send({ event: 'media', media: { payload: Buffer.alloc(800, 0x21).toString('base64') } }); // 100 ms
    send({ event: 'media', media: { payload: Buffer.alloc(800, 0x42).toString('base64') } }); // 100 ms more
    await until(() => line.heard.length === 2, 'both chunks heard');
    expect(line.heard.map((h) => h.bytes[0])).toEqual([0x21, 0x42]);
    // The second chunk is heard once the first has played, not when it arrived.
    expect(line.heard[1]!.at - sentAt).toBeGreaterThanOrEqual(99);

    send({ event: 'media', media: { payload: Buffer.alloc(8000, 0x63).toString('base64') } });
    await until(() => line.heard.length === 3, 'the long chunk heard');
    send({ event: 'clear' });
    await until(() => line.clears.length === 1, 'cleared()');
    await line.call.hangUp();
    expect(line.clears).toHaveLength(1);
  });
});

describe('LiveAudioQueue', () => {
  it('takes only whole 20 ms frames, copies them, and drops the oldest beyond its bound', () => {
    const queue = new LiveAudioQueue(2);
    expect(queue.push(new Uint8Array(LIVE_FRAME_BYTES - 1))).toBe(false);
    expect(queue.push(new Uint8Array(LIVE_FRAME_BYTES + 1))).toBe(false);
    const first = new Uint8Array(LIVE_FRAME_BYTES).fill(1);
    expect(queue.push(first)).toBe(true);
    first.fill(9); // the queue kept its own copy
    expect(queue.nextFrame()![0]).toBe(1);
    queue.push(new Uint8Array(LIVE_FRAME_BYTES).fill(1));
    queue.push(new Uint8Array(LIVE_FRAME_BYTES).fill(2));
    queue.push(new Uint8Array(LIVE_FRAME_BYTES).fill(3));
    expect(queue.waiting).toBe(2);
    expect(queue.dropped).toBe(1);
    expect(queue.nextFrame()![0]).toBe(2);
    expect(queue.nextFrame()![0]).toBe(3);
    expect(queue.nextFrame()).toBeUndefined();
  });
});
