// Audio both ways through the real client and a fake Realtime server: session configuration in
// the documented GA (and beta) shape, caller frames passed through untouched, agent deltas played.
import { afterEach, describe, expect, it } from 'vitest';
import { audio, frame, harness, type Harness } from './harness.js';
import { until } from '../../support/until.js';

/** The parts of a session.update body these tests read. */
interface GaSession {
  type: string;
  instructions: string;
  audio: {
    input: { format: unknown; transcription?: unknown; turn_detection: unknown };
    output: { format: unknown; voice: string };
  };
  tools: { name: string }[];
}
interface BetaSession {
  input_audio_format: string;
  output_audio_format: string;
  input_audio_transcription: unknown;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('OpenAI Realtime agent: audio', () => {
  it('configures a GA session for μ-law both ways with Hebrew transcription, VAD and the tools', async () => {
    h = await harness();
    await h.startAgent();
    const conn = await h.server.connection();
    expect(conn.headers.authorization).toBe('Bearer sk-test-key');
    expect(conn.headers['openai-beta']).toBeUndefined();
    expect(new URL(conn.path, 'ws://x').searchParams.get('model')).toBe('gpt-realtime');
    const update = await conn.waitFor('session.update');
    const session = update.session as GaSession;
    expect(session.type).toBe('realtime');
    expect(session.audio.input.format).toEqual({ type: 'audio/pcmu' });
    expect(session.audio.output.format).toEqual({ type: 'audio/pcmu' });
    expect(session.audio.output.voice).toBe('marin');
    expect(session.audio.input.transcription).toEqual({ model: 'gpt-4o-mini-transcribe', language: 'he' });
    expect(session.audio.input.turn_detection).toMatchObject({
      type: 'server_vad',
      interrupt_response: true,
    });
    expect(session.tools.map((t) => t.name).sort()).toEqual([
      'confirm_number_by_keypad',
      'end_call',
      'lookup_caller',
      'save_lead',
      'transfer_to_human',
    ]);
    expect(session.instructions).toContain('+972501234567');
    expect(conn.errors).toEqual([]); // the server accepted it
  });

  it('passes caller frames upstream as input_audio_buffer.append with the payload untouched', async () => {
    h = await harness();
    const agent = await h.startAgent();
    const conn = await h.server.connection();
    await conn.waitFor('session.update');
    const frames = [frame(0, 0x11), frame(20, 0x22), frame(40, 0x33)];
    for (const f of frames) agent.onAudio(f);
    const appends = await conn.waitForCount('input_audio_buffer.append', 3);
    expect(appends.map((a) => a.audio)).toEqual(frames.map((f) => f.payload));
  });

  it('plays a spoken reply through control.play byte for byte, after asking the model to speak first', async () => {
    h = await harness();
    await h.startAgent();
    const conn = await h.server.connection();
    await conn.waitFor('response.create');
    const chunks = [audio(100, 0x41), audio(60, 0x42)];
    conn.speak(chunks, 'שלום, במה אפשר לעזור?');
    await h.control.until(() => h!.control.playedBytes().length === 1280, 'the reply to be played');
    expect(h.control.playedBytes().equals(Buffer.concat(chunks))).toBe(true);
  });

  it('queues caller audio that arrives before the provider is ready and flushes it in order', async () => {
    h = await harness({ behaviour: { handshakeDelayMs: 150 } });
    const agent = await h.startAgent();
    const frames = Array.from({ length: 25 }, (_, i) => frame(i * 20, i));
    for (const f of frames) agent.onAudio(f); // all before the upgrade is answered
    const conn = await h.server.connection();
    const appends = await conn.waitForCount('input_audio_buffer.append', 25);
    expect(appends.map((a) => a.audio)).toEqual(frames.map((f) => f.payload));
    // session.update goes first, so the audio is read in the configured format.
    expect(conn.received.findIndex((e) => e.type === 'session.update')).toBeLessThan(
      conn.received.findIndex((e) => e.type === 'input_audio_buffer.append'),
    );
  });

  it('bounds the early-audio queue by dropping the oldest audio beyond the limit', async () => {
    h = await harness({
      behaviour: { handshakeDelayMs: 150 },
      factory: { timings: { maxQueuedAudioMs: 200 } },
    });
    const agent = await h.startAgent();
    const frames = Array.from({ length: 30 }, (_, i) => frame(i * 20, i));
    for (const f of frames) agent.onAudio(f);
    const conn = await h.server.connection();
    const appends = await conn.waitForCount('input_audio_buffer.append', 10);
    await until(() => conn.of('input_audio_buffer.append').length, 'the flush', { is: (n) => n >= 10 });
    expect(appends.map((a) => a.audio)).toEqual(frames.slice(20).map((f) => f.payload));
  });

  it('speaks the beta protocol on request: g711_ulaw session, OpenAI-Beta header, beta event names', async () => {
    h = await harness({ behaviour: { api: 'beta' }, factory: { protocol: 'beta' } });
    await h.startAgent();
    const conn = await h.server.connection();
    expect(conn.headers['openai-beta']).toBe('realtime=v1');
    const session = (await conn.waitFor('session.update')).session as BetaSession;
    expect(session.input_audio_format).toBe('g711_ulaw');
    expect(session.output_audio_format).toBe('g711_ulaw');
    expect(session.input_audio_transcription).toEqual({ model: 'gpt-4o-mini-transcribe', language: 'he' });
    await conn.waitFor('response.create');
    conn.speak([audio(50, 0x55)], 'hi'); // sent as response.audio.delta
    await h.control.until(() => h!.control.playedBytes().length === 400, 'beta audio to play');
  });

  it('accepts the beta event names from a server even when it sends the GA session shape', async () => {
    h = await harness({ behaviour: { api: 'beta' } });
    await h.startAgent();
    const conn = await h.server.connection();
    await conn.waitFor('response.create');
    conn.speak([audio(50, 0x66)], 'hi');
    await h.control.until(() => h!.control.playedBytes().length === 400, 'audio to play');
  });

  it('echo mode: every append comes back as agent audio with the same bytes', async () => {
    h = await harness({ behaviour: { echo: true }, factory: { speakFirst: false } });
    const agent = await h.startAgent();
    const conn = await h.server.connection();
    await conn.waitFor('session.update');
    const frames = Array.from({ length: 10 }, (_, i) => frame(i * 20, 0x30 + i));
    for (const f of frames) agent.onAudio(f);
    await h.control.until(() => h!.control.playedBytes().length === 1600, 'echoed audio');
    expect(h.control.playedBytes().equals(Buffer.concat(frames.map((f) => f.bytes())))).toBe(true);
  });
});
