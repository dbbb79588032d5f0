// Following TwiML as Twilio does: relative URLs resolve against the document, <Redirect> with GET
// signs the query, <Dial> without an action falls through, <Reject> ends busy; caller audio from a
// WAV file; status callbacks sent on demand with any sequence number.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeWav } from '../../src/audio/wav.js';
import { TwilioEmulator } from '../../src/emulator/index.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PUBLIC_HOST,
  startMiniServer,
  streamTwiml,
  xml,
  type MiniServer,
  type MiniServerOptions,
} from './support.js';
import { useCleanup } from '../support/cleanup.js';

const defer = useCleanup();

async function setup(options: MiniServerOptions): Promise<{ server: MiniServer; emulator: TwilioEmulator }> {
  const server = await startMiniServer(options);
  defer(() => server.close());
  const emulator = new TwilioEmulator({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    networkMap: { [`https://${PUBLIC_HOST}`]: server.origin },
    speed: 50,
  });
  defer(() => emulator.close());
  return { server, emulator };
}

const base = `https://${PUBLIC_HOST}`;

describe('following TwiML', () => {
  it('resolves relative URLs against the document and signs GET requests over their query string', async () => {
    const { server, emulator } = await setup({
      routes: {
        '/voice/start': () =>
          xml('<Say>hi</Say><Pause length="1"/><Redirect method="GET">../menu/next?step=2</Redirect>'),
        '/menu/next': () => xml('<Dial>+972500000009</Dial><Reject reason="busy"/><Say>unreachable</Say>'),
      },
    });
    const result = await emulator.placeCall({ webhookUrl: `${base}/voice/start` }).done;

    expect(result.violations).toEqual([]);
    const redirect = server.requests.find((r) => r.path === '/menu/next')!;
    expect(redirect.method).toBe('GET');
    expect(redirect.signatureOk).toBe(true);
    const query = new URL(redirect.signedUrl).searchParams;
    expect(query.get('step')).toBe('2');
    expect(query.get('CallSid')).toBe(result.callSid);
    expect(query.get('CallStatus')).toBe('in-progress');
    // <Dial> without an action falls through to the next verb; <Reject> ends the call busy.
    expect(result.dials).toEqual([
      expect.objectContaining({ targets: [{ kind: 'Number', value: '+972500000009' }] }),
    ]);
    expect(result).toMatchObject({ status: 'busy', endedBy: 'twiml' });
    expect(result.timeline.filter((e) => e.kind === 'say').map((e) => e.detail.text)).toEqual(['hi']);
    expect(result.timeline.map((e) => e.kind)).toContain('pause');
  });

  it('flags an unknown verb as a 12200 warning and skips it', async () => {
    const { emulator } = await setup({
      routes: { '/voice': () => xml('<Speak>hi</Speak><Say>after</Say>') },
    });
    const result = await emulator.placeCall({ webhookUrl: `${base}/voice` }).done;
    expect(result.violations.map((v) => [v.code, v.severity])).toEqual([[12200, 'warning']]);
    expect(result.timeline.some((e) => e.kind === 'say' && e.detail.text === 'after')).toBe(true);
  });

  it('posts a no-answer <Dial> to its action and follows the answer', async () => {
    const { server, emulator } = await setup({
      routes: {
        '/voice': () => xml('<Dial action="/after-dial" timeout="2"><Number>+972500000009</Number></Dial>'),
        '/after-dial': () => xml('<Hangup/>'),
      },
    });
    const result = await emulator.placeCall({
      webhookUrl: `${base}/voice`,
      caller: { dial: { outcome: 'no-answer' } },
    }).done;
    const action = server.requests.find((r) => r.path === '/after-dial')!;
    expect(action.params).toMatchObject({
      DialCallStatus: 'no-answer',
      DialBridged: 'false',
      CallStatus: 'in-progress',
    });
    expect(action.params.DialCallDuration).toBeUndefined();
    expect(result).toMatchObject({ status: 'completed', endedBy: 'twiml' });
  });

  it('streams caller audio from WAV files (8 kHz PCM and 16 kHz resampled) and hangs up after it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'emulator-wav-'));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'caller16k.wav');
    writeFileSync(
      file,
      writeWav({ encoding: 'pcm16', sampleRate: 16000, samples: new Int16Array(3200).fill(1000) }),
    );
    const received: number[] = [];
    const { emulator } = await setup({
      wsPaths: ['/ws'],
      routes: {
        '/voice': () => streamTwiml(`wss://${PUBLIC_HOST}/ws`),
        '/webhook/stream_status': () => ({ status: 204 }),
        '/webhook/stream_ended': () => xml(''),
      },
      onSocket: (ws) =>
        ws.on('message', (d) => {
          const msg = JSON.parse(d.toString()) as { event: string; media?: { payload: string } };
          if (msg.event === 'media') received.push(Buffer.from(msg.media!.payload, 'base64').length);
        }),
    });
    const result = await emulator.placeCall({
      webhookUrl: `${base}/voice`,
      caller: { audio: { wav: file }, silence: false, hangUpAfterAudioMs: 0 },
    }).done;
    // 0.2 s at 16 kHz becomes 1600 μ-law bytes at 8 kHz: ten 160-byte frames.
    expect(received).toEqual(Array(10).fill(160));
    expect(result.streams[0]!.audioBytesSent).toBe(1600);
    expect(result.endedBy).toBe('caller');

    const pcm8k = writeWav({ encoding: 'pcm16', sampleRate: 8000, samples: new Int16Array(320) });
    const call = emulator.placeCall({ webhookUrl: `${base}/voice`, caller: { silence: false } });
    await call.waitFor('start-sent');
    await call.sendAudio({ wav: pcm8k });
    expect((await call.hangUp()).streams[0]!.audioBytesSent).toBe(320);
  });

  it('sends status callbacks on demand, in any order, with Twilio’s parameters', async () => {
    const { server, emulator } = await setup({
      routes: {
        '/voice': () => xml('<Pause length="60"/>'),
        '/status': () => ({ status: 204 }),
      },
    });
    const call = emulator.placeCall({ webhookUrl: `${base}/voice`, statusCallbackUrl: `${base}/status` });
    await call.waitFor('pause');
    await call.sendStatusCallback({ status: 'in-progress', sequenceNumber: 2 });
    await call.sendStatusCallback({ status: 'ringing', sequenceNumber: 1 });
    await call.sendStatusCallback({ status: 'initiated', sequenceNumber: 0 });
    const result = await call.hangUp();

    const statuses = server.requests.filter((r) => r.path === '/status');
    expect(statuses.map((r) => [r.params.CallStatus, r.params.SequenceNumber])).toEqual([
      ['in-progress', '2'],
      ['ringing', '1'],
      ['initiated', '0'],
      ['completed', '0'],
    ]);
    expect(statuses.every((r) => r.signatureOk && r.params.CallbackSource === 'call-progress-events')).toBe(
      true,
    );
    expect(result.violations).toEqual([]);
  });

  it('posts initiated, ringing, answered and completed in sequence when asked for every event', async () => {
    const { server, emulator } = await setup({
      routes: { '/voice': () => xml('<Hangup/>'), '/status': () => ({ status: 204 }) },
    });
    await emulator.placeCall({
      webhookUrl: `${base}/voice`,
      statusCallbackUrl: `${base}/status`,
      statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'],
    }).done;
    const statuses = server.requests.filter((r) => r.path === '/status');
    expect(statuses.map((r) => [r.params.CallStatus, r.params.SequenceNumber])).toEqual([
      ['initiated', '0'],
      ['ringing', '1'],
      ['in-progress', '2'],
      ['completed', '3'],
    ]);
  });

  it('probes a stream URL: 101 on a WebSocket path, 31920 with the status elsewhere', async () => {
    const { emulator } = await setup({ wsPaths: ['/ws/twilio-media'] });
    const good = await emulator.probeStream(`wss://${PUBLIC_HOST}/ws/twilio-media`);
    expect(good).toMatchObject({ ok: true, status: 101 });
    const bad = await emulator.probeStream(`wss://${PUBLIC_HOST}/ws/twilio-media/`);
    expect(bad).toMatchObject({ ok: false, code: 31920, status: 404 });
    const insecure = await emulator.probeStream(`ws://${PUBLIC_HOST}/ws/twilio-media`);
    expect(insecure).toMatchObject({ ok: false, code: 31922 });
  });
});
