// The emulator against a faithful server: a whole call raises no violations, every request and the
// upgrade are signed over the public URL, the wire messages look like Twilio's, and the stream's
// end leads to <Connect action> and a <Record> voicemail with its callbacks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TwilioEmulator } from '../../src/emulator/index.js';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_HOST } from './support.js';
import { GREETING, startGoodServer, type GoodServer } from './good-server.js';

const tone = (bytes: number) => Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7) % 256));

let server: GoodServer;
let emulator: TwilioEmulator;

beforeEach(async () => {
  server = await startGoodServer();
  emulator = new TwilioEmulator({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    networkMap: { [`https://${PUBLIC_HOST}`]: server.origin },
    speed: 20,
  });
});

afterEach(async () => {
  await emulator.close();
  await server.close();
});

const publicUrl = (path: string) => `https://${PUBLIC_HOST}${path}`;

describe('a call to a faithful server', () => {
  it('completes with no violations when the caller hangs up, with every request signed over the public URL', async () => {
    const audio = tone(800);
    const call = emulator.placeCall({
      webhookUrl: publicUrl('/webhook/incoming_call'),
      statusCallbackUrl: publicUrl('/webhook/call_status'),
      caller: { audio, silence: false },
    });
    await call.waitFor('mark-echoed', { match: (e) => e.detail.name === 'echo-5' });
    const result = await call.hangUp();

    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result).toMatchObject({ status: 'completed', endedBy: 'caller' });

    // The server saw a proxy's Host/X-Forwarded headers and valid signatures everywhere.
    expect(server.requests.every((r) => r.signatureOk)).toBe(true);
    expect(server.upgrades).toHaveLength(1);
    expect(server.upgrades[0]).toMatchObject({
      expectedUrl: `wss://${PUBLIC_HOST}/ws/twilio-media`,
      signatureOk: true,
    });
    expect(server.upgrades[0]!.headers['x-forwarded-proto']).toBe('https');
    expect(server.requests[0]!.headers.host).toBe(PUBLIC_HOST);

    const webhook = server.requests.find((r) => r.path === '/webhook/incoming_call')!;
    expect(webhook.params).toMatchObject({
      AccountSid: ACCOUNT_SID,
      CallSid: call.callSid,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      Caller: call.from,
      Called: call.to,
      FromCountry: 'IL',
    });
    expect(call.callSid).toMatch(/^CA[0-9a-f]{32}$/);

    // The greeting was fetched and judged playable.
    const play = result.timeline.find((e) => e.kind === 'play-fetch')!;
    expect(play.detail).toMatchObject({
      ok: true,
      status: 200,
      contentType: 'audio/mpeg',
      bytes: GREETING.length,
    });

    // Twilio's wire format, in Twilio's order.
    const frames = server.frames[0]!;
    expect(frames[0]).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    const stream = result.streams[0]!;
    expect(stream.streamSid).toMatch(/^MZ[0-9a-f]{32}$/);
    expect(frames[1]).toEqual({
      event: 'start',
      sequenceNumber: '1',
      streamSid: stream.streamSid,
      start: {
        accountSid: ACCOUNT_SID,
        streamSid: stream.streamSid,
        callSid: call.callSid,
        tracks: ['inbound'],
        customParameters: { call_sid: call.callSid },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    const media = frames.filter((f) => f.event === 'media') as Array<{
      sequenceNumber: string;
      media: { track: string; chunk: string; timestamp: string; payload: string };
    }>;
    expect(media.map((m) => m.media.chunk)).toEqual(['1', '2', '3', '4', '5']);
    expect(media.every((m) => m.media.track === 'inbound')).toBe(true);
    const stamps = media.map((m) => Number(m.media.timestamp));
    expect(stamps.every((t, i) => i === 0 || t >= stamps[i - 1]! + 20)).toBe(true);
    expect(Buffer.concat(media.map((m) => Buffer.from(m.media.payload, 'base64')))).toEqual(audio);
    const seqs = frames.filter((f) => 'sequenceNumber' in f).map((f) => Number(f.sequenceNumber));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(frames.at(-1)).toMatchObject({
      event: 'stop',
      stop: { accountSid: ACCOUNT_SID, callSid: call.callSid },
    });

    // Everything the server echoed was played back to the caller, each mark after its audio.
    expect(result.playedAudio).toEqual(audio);
    expect(stream.marksEchoed.map((m) => m.name)).toEqual(['echo-1', 'echo-2', 'echo-3', 'echo-4', 'echo-5']);
    expect(stream).toMatchObject({ endedBy: 'caller', framesSent: 5, mediaReceived: 5, marksReceived: 5 });

    // After the hang-up: stream-stopped, the Connect action (CallStatus=completed), the final status.
    const statusEvents = server.requests.filter((r) => r.path === '/webhook/stream_status');
    expect(statusEvents.map((r) => r.params.StreamEvent).sort()).toEqual([
      'stream-started',
      'stream-stopped',
    ]);
    expect(statusEvents[0]!.params).toMatchObject({ StreamSid: stream.streamSid, CallSid: call.callSid });
    const ended = server.requests.find((r) => r.path === '/webhook/stream_ended')!;
    expect(ended.params.CallStatus).toBe('completed');
    const last = server.requests.at(-1)!;
    expect(last.path).toBe('/webhook/call_status');
    expect(last.params).toMatchObject({
      CallStatus: 'completed',
      CallbackSource: 'call-progress-events',
      SequenceNumber: '0',
    });
    expect(last.params.CallDuration).toMatch(/^\d+$/);
    expect(last.params.Timestamp).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('follows <Connect action> to a <Record> voicemail when the server closes the stream', async () => {
    const call = emulator.placeCall({
      webhookUrl: publicUrl('/webhook/incoming_call'),
      statusCallbackUrl: publicUrl('/webhook/call_status'),
      caller: { silence: false, record: { durationSec: 3 } },
    });
    await call.waitFor('start-sent');
    expect(call.sendDtmf('#')).toBe(1);
    const result = await call.done;

    // The server's close is Twilio's 31921 notice, not an error: the call is still ok.
    expect(result.violations.map((v) => [v.code, v.severity])).toEqual([[31921, 'notice']]);
    expect(result.ok).toBe(true);
    expect(result.streams[0]!.endedBy).toBe('server');
    expect(result).toMatchObject({ status: 'completed', endedBy: 'caller' });

    const ended = server.requests.find((r) => r.path === '/webhook/stream_ended')!;
    expect(ended.params.CallStatus).toBe('in-progress');
    const kinds = result.timeline.map((e) => e.kind);
    expect(kinds.indexOf('say')).toBeGreaterThan(kinds.indexOf('ws-closed'));
    expect(kinds.indexOf('record-start')).toBeGreaterThan(kinds.indexOf('say'));

    const [recording] = result.recordings;
    expect(recording!.recordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(recording!.digits).toBe('hangup');
    const handled = server.requests.filter((r) => r.path === '/webhook/handle_recording');
    const action = handled.find((r) => !r.params.RecordingStatus)!;
    expect(action.params).toMatchObject({
      RecordingSid: recording!.recordingSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${recording!.recordingSid}`,
      Digits: 'hangup',
      CallStatus: 'completed',
    });
    expect(Number(action.params.RecordingDuration)).toBe(3);
    const status = handled.find((r) => r.params.RecordingStatus)!;
    expect(status.params).toMatchObject({
      RecordingStatus: 'completed',
      RecordingSource: 'RecordVerb',
      RecordingChannels: '1',
      RecordingSid: recording!.recordingSid,
    });
    expect(server.requests.at(-1)!.params.CallStatus).toBe('completed');
    expect(server.requests.every((r) => r.signatureOk)).toBe(true);
  });

  it('dials a loopback wss:// URL as ws:// without calling it a 31922, and keeps the line alive with silence', async () => {
    const call = emulator.placeCall({ webhookUrl: `${server.origin}/webhook/incoming_call` });
    await call.waitFor('mark-echoed', { match: (e) => e.detail.name === 'echo-3' });
    const result = await call.hangUp();

    expect(result.violations).toEqual([]);
    expect(result.streams[0]).toMatchObject({
      url: `wss://${server.host}/ws/twilio-media`,
      dialled: `ws://${server.host}/ws/twilio-media`,
      downgraded: true,
    });
    const media = server.frames[0]!.filter((f) => f.event === 'media') as Array<{
      media: { payload: string };
    }>;
    expect(media.length).toBeGreaterThanOrEqual(3);
    expect(media.every((m) => Buffer.from(m.media.payload, 'base64').equals(Buffer.alloc(160, 0xff)))).toBe(
      true,
    );
  });
});
