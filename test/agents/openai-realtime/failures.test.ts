// Failure never means silence: a refusing, slow or vanishing provider ends in an apology and
// voicemail (after one reconnect mid-call); a hang-up while connecting aborts the socket at once.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRealtimeConnection } from '../../fakes/fake-realtime-server.js';
import { audio, frame, harness, tick, type Harness } from './harness.js';
import { until } from '../../support/until.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const APOLOGY = Buffer.alloc(800, 0x5a); // 100 ms

describe('OpenAI Realtime agent: failures', () => {
  it('plays the apology and sends the caller to voicemail when the provider refuses the upgrade', async () => {
    h = await harness({
      behaviour: { refuse: { status: 401, body: '{"error":{"code":"invalid_api_key"}}' } },
      factory: { apologyAudio: APOLOGY },
    });
    await h.startAgent();
    await h.control.until(() => h!.control.pendingMs() === 100, 'the apology');
    expect(h.control.playedBytes().equals(APOLOGY)).toBe(true);
    expect(h.control.voicemail).toBeUndefined(); // not before the apology was heard
    h.control.hearAll();
    await h.control.until(() => h!.control.voicemail !== undefined, 'voicemail');
    expect(h.control.voicemail).toMatch(/refused with HTTP 401.*invalid_api_key/);
  });

  it('goes to voicemail without an apology when none is configured', async () => {
    h = await harness({ behaviour: { refuse: { status: 503 } } });
    await h.startAgent();
    await h.control.until(() => h!.control.voicemail !== undefined, 'voicemail');
    expect(h.control.played).toEqual([]);
  });

  it('gives up on a provider that does not answer the handshake in time', async () => {
    h = await harness({
      behaviour: { handshakeDelayMs: 2000 },
      factory: { apologyAudio: APOLOGY, timings: { connectTimeoutMs: 100 } },
    });
    const started = Date.now();
    await h.startAgent();
    await h.control.until(() => h!.control.pendingMs() > 0, 'the apology');
    h.control.hearAll();
    await h.control.until(() => h!.control.voicemail !== undefined, 'voicemail');
    expect(h.control.voicemail).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reconnects once when the provider closes mid-call, briefed with the transcript so far', async () => {
    h = await harness({ factory: { speakFirst: false } });
    const agent = await h.startAgent();
    const first = await h.server.connection(1);
    await first.waitFor('session.update');
    const caller = first.speechStarted(0);
    first.speechStopped(caller, 800);
    first.inputTranscript(caller, 'אני מחפש דירה בחיפה');
    await tick(20);
    first.close(1011, 'internal error');

    const second = await h.server.connection(2);
    const update = await second.waitFor('session.update');
    expect((update.session as { instructions: string }).instructions).toContain('אני מחפש דירה בחיפה');
    await second.waitFor('response.create'); // the model picks up where it was
    agent.onAudio(frame(5000, 0x44));
    const append = await second.waitFor('input_audio_buffer.append');
    expect(append.audio).toBe(frame(5000, 0x44).payload);
    expect(h.control.voicemail).toBeUndefined();
  });

  it('treats a provider that stops answering pings as gone, and reconnects', async () => {
    h = await harness({
      behaviour: { autoPong: false },
      factory: { speakFirst: false, timings: { heartbeatMs: 40 } },
    });
    await h.startAgent();
    const first = await h.server.connection(1);
    await first.whenClosed(); // dropped after one unanswered ping
    const second = await h.server.connection(2);
    await second.waitFor('session.update');
    expect(h.control.voicemail).toBeUndefined();
  });

  it('sends the caller to voicemail with an apology when the reconnected session closes too', async () => {
    h = await harness({ factory: { speakFirst: false, apologyAudio: APOLOGY } });
    await h.startAgent();
    const first = await h.server.connection(1);
    await first.waitFor('session.update');
    first.close(1011, 'boom');
    const second = await h.server.connection(2);
    await second.waitFor('session.update');
    second.close(1001, 'going away');
    await h.control.until(() => h!.control.pendingMs() === 100, 'the apology');
    h.control.hearAll();
    await h.control.until(() => h!.control.voicemail !== undefined, 'voicemail');
    expect(h.control.voicemail).toMatch(/provider closed the session \(1001 going away\)/);
    expect(h.server.connections).toHaveLength(2);
  });

  it('falls back when the reconnect itself is refused', async () => {
    h = await harness({ factory: { speakFirst: false } });
    await h.startAgent();
    const first = await h.server.connection(1);
    await first.waitFor('session.update');
    h.server.behaviour.refuse = { status: 429 };
    first.close(1011, 'boom');
    await h.control.until(() => h!.control.voicemail !== undefined, 'voicemail');
    expect(h.control.voicemail).toMatch(/HTTP 429/);
    expect(h.server.upgrades).toBe(2);
  });

  it('aborts the socket at once when the call hangs up while connecting', async () => {
    h = await harness({ behaviour: { handshakeDelayMs: 300 } });
    const agent = await h.startAgent();
    await until(() => h!.server.upgrades === 1, 'the upgrade request');
    const started = Date.now();
    await agent.close('caller hung up');
    expect(Date.now() - started).toBeLessThan(100);
    // The fake sees the socket close while it still holds the handshake: it can never open now.
    await until(() => h!.server.abandoned, 'the client to drop its pending upgrade', { timeoutMs: 250 });
    expect(h.server.connections).toEqual([]);
    expect(h.control.voicemail).toBeUndefined();
    expect(h.control.played).toEqual([]);
  });

  it('closes the provider session when the call ends', async () => {
    h = await harness({ factory: { speakFirst: false } });
    const agent = await h.startAgent();
    const conn: FakeRealtimeConnection = await h.server.connection();
    await conn.waitFor('session.update');
    await agent.close('stop received');
    await conn.whenClosed();
    expect(conn.closeInfo?.code).toBe(1000);
  });

  it('falls back after two failed responses in a row', async () => {
    h = await harness({ factory: { speakFirst: false } });
    await h.startAgent();
    const conn = await h.server.connection();
    await conn.waitFor('session.update');
    const r1 = conn.startResponse();
    conn.finishResponse(r1, 'failed', { type: 'failed', error: { type: 'server_error', code: 'internal' } });
    await conn.waitFor('response.create'); // one retry
    const r2 = conn.startResponse();
    conn.finishResponse(r2, 'failed', { type: 'failed', error: { type: 'server_error', code: 'internal' } });
    await h.control.until(() => h!.control.voicemail !== undefined, 'voicemail');
    expect(h.control.voicemail).toMatch(/failed twice/);
  });

  it('asks the model to wrap up near the session limit and hangs up at the hard limit', async () => {
    h = await harness({
      factory: { speakFirst: false, timings: { wrapUpAfterMs: 50, hardStopAfterMs: 150 } },
    });
    await h.startAgent();
    const conn = await h.server.connection();
    const note = await conn.waitFor('conversation.item.create');
    expect(note.item).toMatchObject({ type: 'message', role: 'system' });
    await conn.waitFor('response.create');
    await h.control.until(() => h!.control.hangUps.length === 1, 'the hang-up');
    expect(h.control.hangUps).toEqual(['maximum call length']);
  });

  it('survives garbage from the provider: bad JSON, unknown and malformed events are dropped', async () => {
    h = await harness({ factory: { speakFirst: false } });
    await h.startAgent();
    const conn = await h.server.connection();
    await conn.waitFor('session.update');
    conn.send({ type: 'rate_limits.updated', rate_limits: [] });
    conn.send({ type: 'response.output_audio.delta', delta: 42 });
    conn.send({ type: 'something.new', x: 1 });
    const { itemId, response } = conn.speak([audio(50, 1)], '', { finish: false });
    expect(itemId && response).toBeTruthy();
    await h.control.until(() => h!.control.pendingMs() === 50, 'audio after the garbage');
  });
});
