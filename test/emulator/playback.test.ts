// Twilio's playback model as the emulator acts it out: outbound audio plays at 8 bytes/ms (× speed),
// a mark comes back only once the audio sent before it has played (at once if nothing is queued),
// and `clear` drops what is queued and returns every pending mark immediately.
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { TwilioEmulator, type EmulatedCall } from '../../src/emulator/index.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PUBLIC_HOST,
  onStart,
  startMiniServer,
  streamTwiml,
  xml,
} from './support.js';
import { useCleanup } from '../support/cleanup.js';

const defer = useCleanup();

interface Driven {
  call: EmulatedCall;
  ws: WebSocket;
  streamSid: string;
  media(bytes: Buffer): void;
  mark(name: string): void;
  clear(): void;
}

/** A call whose server side the test drives frame by frame. */
async function driven(speed: number): Promise<Driven> {
  let resolveSocket!: (v: { ws: WebSocket; streamSid: string }) => void;
  const socket = new Promise<{ ws: WebSocket; streamSid: string }>((r) => (resolveSocket = r));
  const server = await startMiniServer({
    wsPaths: ['/ws/twilio-media'],
    routes: {
      '/webhook/incoming_call': () => streamTwiml(`wss://${PUBLIC_HOST}/ws/twilio-media`),
      '/webhook/stream_status': () => ({ status: 204 }),
      '/webhook/stream_ended': () => xml(''),
    },
    onSocket: (ws) => void onStart(ws).then((streamSid) => resolveSocket({ ws, streamSid })),
  });
  defer(() => server.close());
  const emulator = new TwilioEmulator({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    networkMap: { [`https://${PUBLIC_HOST}`]: server.origin },
    speed,
  });
  defer(() => emulator.close());
  const call = emulator.placeCall({
    webhookUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
    caller: { silence: false },
  });
  const { ws, streamSid } = await socket;
  const send = (msg: object) => ws.send(JSON.stringify({ ...msg, streamSid }));
  return {
    call,
    ws,
    streamSid,
    media: (bytes) => send({ event: 'media', media: { payload: bytes.toString('base64') } }),
    mark: (name) => send({ event: 'mark', mark: { name } }),
    clear: () => send({ event: 'clear' }),
  };
}

const echoOf = (call: EmulatedCall, name: string) =>
  call.waitFor('mark-echoed', { match: (e) => e.detail.name === name });
const receivedOf = (call: EmulatedCall, name: string) =>
  call.waitFor('mark-received', { match: (e) => e.detail.name === name });

describe('playback and marks', () => {
  it('echoes a mark at once when no audio is buffered', async () => {
    const d = await driven(1);
    d.mark('nothing-queued');
    const echo = await echoOf(d.call, 'nothing-queued');
    expect(echo.detail.reason).toBe('idle');
  });

  it('echoes each mark only after the audio sent before it has played', async () => {
    const speed = 4;
    const d = await driven(speed);
    d.media(Buffer.alloc(1600, 0x11)); // 200 ms of audio, 50 ms at 4×
    d.mark('first');
    d.media(Buffer.alloc(800, 0x22)); // 100 ms more
    d.mark('second');
    const first = await echoOf(d.call, 'first');
    const second = await echoOf(d.call, 'second');

    expect(first.detail.reason).toBe('played');
    expect(second.detail.reason).toBe('played');
    // Lower bounds only, measured from when the audio arrived: an echo may come late on a busy
    // machine, never early. The second chunk plays right after the first, so its mark waits for both.
    const audioArrived = (await d.call.waitFor('first-media-received')).t;
    expect(first.t - audioArrived).toBeGreaterThanOrEqual(200 / speed - 1);
    expect(second.t - audioArrived).toBeGreaterThanOrEqual(300 / speed - 1);
    const played = d.call.playedAudio();
    expect(played).toEqual(Buffer.concat([Buffer.alloc(1600, 0x11), Buffer.alloc(800, 0x22)]));
  });

  it('on clear drops the buffered audio and echoes every pending mark at once, in order', async () => {
    const d = await driven(1);
    d.media(Buffer.alloc(8000, 0x33)); // 1 s
    d.mark('x');
    d.media(Buffer.alloc(16000, 0x44)); // 2 s more
    d.mark('y');
    await receivedOf(d.call, 'y');
    d.clear();
    const cleared = await d.call.waitFor('clear-received');
    const x = await echoOf(d.call, 'x');
    const y = await echoOf(d.call, 'y');

    expect(cleared.detail.marks).toEqual(['x', 'y']);
    expect([x.detail.reason, y.detail.reason]).toEqual(['cleared', 'cleared']);
    expect(x.t).toBeLessThan(cleared.t + 1000);
    // Only what played before the clear was heard, and none of the second chunk.
    const heard = d.call.playedAudio();
    expect(heard.length).toBeLessThan(8000);
    expect(heard.every((b) => b === 0x33)).toBe(true);
    expect(cleared.detail.droppedBytes).toBe(24000 - heard.length);

    // After a clear the buffer is empty: the next mark comes straight back.
    d.mark('z');
    expect((await echoOf(d.call, 'z')).detail.reason).toBe('idle');
    const result = await d.call.hangUp();
    expect(result.violations).toEqual([]);
    expect(result.streams[0]!.marksEchoed.map((m) => m.name)).toEqual(['x', 'y', 'z']);
  });

  it('sends caller audio as 160-byte frames and dtmf on request', async () => {
    const d = await driven(20);
    const frames: Array<{ event: string; media?: { payload: string }; dtmf?: { digit: string } }> = [];
    d.ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as (typeof frames)[number]));
    await d.call.sendAudio(Buffer.alloc(400, 0x7f));
    expect(d.call.sendDtmf('1#')).toBe(2);
    await d.call.waitFor('dtmf-sent', { match: (e) => e.detail.digit === '#' });
    await d.call.hangUp();
    const media = frames
      .filter((f) => f.event === 'media')
      .map((f) => Buffer.from(f.media!.payload, 'base64'));
    expect(media.map((m) => m.length)).toEqual([160, 160, 160]);
    // The last frame is padded with μ-law silence.
    expect(media[2]!.subarray(80)).toEqual(Buffer.alloc(80, 0xff));
    expect(frames.filter((f) => f.event === 'dtmf').map((f) => f.dtmf!.digit)).toEqual(['1', '#']);
  });
});
