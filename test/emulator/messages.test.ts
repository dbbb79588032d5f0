// Servers that send Twilio bad frames on an open stream: each is flagged with Twilio's code —
// 31950 binary, 31951 non-JSON / unknown event / extra field / wrong streamSid, 31924 bad payload
// or framing — and a dropped connection is 31903. The stream survives the warnings.
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { TwilioEmulator } from '../../src/emulator/index.js';
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

const WAV_HEADER = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([0x24, 0x08, 0, 0]),
  Buffer.from('WAVEfmt '),
  Buffer.alloc(148, 0xff),
]);

/** Runs a call whose server does `misbehave` once the stream has started; returns the result. */
async function callWhere(misbehave: (ws: WebSocket, streamSid: string) => void, until = 'violation') {
  const server = await startMiniServer({
    wsPaths: ['/ws/twilio-media'],
    routes: {
      '/webhook/incoming_call': () => streamTwiml(`wss://${PUBLIC_HOST}/ws/twilio-media`),
      '/webhook/stream_status': () => ({ status: 204 }),
      '/webhook/stream_ended': () => xml(''),
    },
    onSocket: (ws) => void onStart(ws).then((sid) => misbehave(ws, sid)),
  });
  defer(() => server.close());
  const emulator = new TwilioEmulator({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    networkMap: { [`https://${PUBLIC_HOST}`]: server.origin },
    speed: 20,
  });
  defer(() => emulator.close());
  const call = emulator.placeCall({
    webhookUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
    caller: { silence: false },
  });
  await call.waitFor(until);
  return call.isFinished ? call.done : call.hangUp();
}

const codes = (result: { violations: { code: number }[] }) => result.violations.map((v) => v.code);

describe('frames a server must not send', () => {
  it('flags a binary frame as 31950', async () => {
    const result = await callWhere((ws) => ws.send(Buffer.alloc(160, 0xff)));
    expect(codes(result)).toEqual([31950]);
  });

  it('flags media with another streamSid as 31951', async () => {
    const result = await callWhere((ws) =>
      ws.send(
        JSON.stringify({ event: 'media', streamSid: 'MZ' + '0'.repeat(32), media: { payload: 'AAAA' } }),
      ),
    );
    expect(codes(result)).toEqual([31951]);
    expect(result.violations[0]!.message).toMatch(/streamSid/);
  });

  it('flags a mark without a streamSid as 31951', async () => {
    const result = await callWhere((ws) => ws.send(JSON.stringify({ event: 'mark', mark: { name: 'a' } })));
    expect(codes(result)).toEqual([31951]);
  });

  it('flags an extra field as 31951', async () => {
    const result = await callWhere((ws, streamSid) =>
      ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload: 'AAAA', track: 'outbound' } })),
    );
    expect(codes(result)).toEqual([31951]);
  });

  it('flags non-JSON text and unknown events as 31951', async () => {
    // The trailing good `clear` marks the point where both bad frames have been judged.
    const result = await callWhere((ws, streamSid) => {
      ws.send('hello');
      ws.send(JSON.stringify({ event: 'speak', streamSid }));
      ws.send(JSON.stringify({ event: 'clear', streamSid }));
    }, 'clear-received');
    expect(codes(result)).toEqual([31951, 31951]);
    expect(result.violations[1]!.message).toMatch(/speak/);
  });

  it('flags a WAV header inside the μ-law payload as 31924', async () => {
    const result = await callWhere((ws, streamSid) =>
      ws.send(
        JSON.stringify({ event: 'media', streamSid, media: { payload: WAV_HEADER.toString('base64') } }),
      ),
    );
    expect(codes(result)).toEqual([31924]);
    expect(result.violations[0]!.message).toMatch(/RIFF/);
    expect(result.playedAudio.length).toBe(0);
  });

  it('flags a payload that is not base64 as 31924', async () => {
    const result = await callWhere((ws, streamSid) =>
      ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload: 'not base64!' } })),
    );
    expect(codes(result)).toEqual([31924]);
  });

  it('flags a fragmented control frame as 31924', async () => {
    const result = await callWhere((ws) => {
      // A ping with FIN cleared: control frames must never be fragmented (RFC 6455 §5.5).
      (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x09, 0x00]));
    }, 'ws-closed');
    expect(codes(result)).toEqual([31924]);
    expect(result.streams[0]!.endedBy).toBe('server');
  });

  it('flags a dropped connection (no close frame) as 31903', async () => {
    const result = await callWhere(
      (ws) => (ws as unknown as { _socket: { destroy(): void } })._socket.destroy(),
      'ws-closed',
    );
    expect(codes(result)).toEqual([31903]);
    expect(result.streams[0]!.endedBy).toBe('network');
  });

  it('keeps the stream open after a warning and still plays good audio', async () => {
    const good = Buffer.alloc(320, 0x55);
    const result = await callWhere((ws, streamSid) => {
      ws.send(Buffer.from([1, 2, 3]));
      ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload: good.toString('base64') } }));
      ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: 'after' } }));
    }, 'mark-echoed');
    expect(codes(result)).toEqual([31950]);
    expect(result.playedAudio).toEqual(good);
  });
});
