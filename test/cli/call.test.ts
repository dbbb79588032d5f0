// `call` as a function against the real server: a stereo 16 kHz WAV spoken as μ-law 8 kHz, a key
// pressed at its time, the agent's audio heard, and a timeline that tells the call's story.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCallerWav, writeHeardWav } from '../../src/cli/call/audio-io.js';
import { runCall } from '../../src/cli/call/run-call.js';
import { timelineLines } from '../../src/cli/call/timeline.js';
import { parseTarget, UsageError } from '../../src/cli/target.js';
import { readWav, writeWav } from '../../src/audio/wav.js';
import { startTestServer, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const dir = mkdtempSync(path.join(tmpdir(), 'cli-call-'));

/** A stereo 16 kHz PCM16 tone of `seconds`. */
function toneWav(seconds: number): string {
  const frames = Math.round(16000 * seconds);
  const samples = new Int16Array(frames * 2);
  for (let i = 0; i < frames; i++)
    samples[2 * i] = samples[2 * i + 1] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000));
  const file = path.join(dir, `tone-${seconds}.wav`);
  writeFileSync(file, writeWav({ encoding: 'pcm16', sampleRate: 16000, channels: 2, samples }));
  return file;
}

describe('agentlocator call', () => {
  it('speaks the WAV as μ-law 8 kHz, presses the key, and hears the agent', async () => {
    server = await startTestServer();
    const audio = await readCallerWav(toneWav(0.4));
    expect(audio.length).toBe(3200); // 0.4 s at 8000 bytes a second
    const result = await runCall({
      target: parseTarget(server.origin),
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      audio,
      dtmf: [{ digits: '1', atMs: 600 }],
      durationMs: 1200,
    });
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    const stream = result.streams[0]!;
    expect(stream.audioBytesSent).toBe(3200);
    expect(stream.dtmfSent).toBe(1);
    expect(result.playedAudio.length).toBeGreaterThan(0);
    await expect
      .poll(() => server!.logs.find(/DTMF|KEYPAD|dtmf/i).length + server!.logs.find('WS_START').length)
      .toBeGreaterThan(0);

    const text = timelineLines(result).map((l) => l.text);
    expect(text.find((t) => t.startsWith('webhook /webhook/incoming_call → 200'))).toBeDefined();
    expect(
      text.some((t) =>
        /TwiML: <Play \/static\/tts\/greeting_he\.mp3> <Connect action=\/webhook\/stream_ended><Stream wss:/.test(
          t,
        ),
      ),
    ).toBe(true);
    expect(text).toContain(`stream start sent (${stream.streamSid})`);
    expect(text).toContain('caller presses 1');
    expect(text.some((t) => /^marks: \d+ from the agent, \d+ echoed back as played$/.test(t))).toBe(true);
    expect(text).toContain('stop sent (caller hung up)');
    expect(text).toContain('call ended: completed (caller)');

    const out = path.join(dir, 'heard.wav');
    await writeHeardWav(out, result.playedAudio);
    const heard = readWav(readFileSync(out));
    expect(heard).toMatchObject({
      encoding: 'pcm16',
      sampleRate: 8000,
      channels: 1,
      frames: result.playedAudio.length,
    });
  });

  it('refuses a file that is not a WAV with a usage error naming it', async () => {
    const bad = path.join(dir, 'not.wav');
    writeFileSync(bad, 'hello');
    await expect(readCallerWav(bad)).rejects.toThrow(UsageError);
    await expect(readCallerWav(bad)).rejects.toThrow(/not\.wav/);
    await expect(readCallerWav(path.join(dir, 'missing.wav'))).rejects.toThrow(/no such file/);
  });
});
