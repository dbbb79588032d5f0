// Pre-warm: the session is opened and configured while the greeting plays, claimed by CallSid
// when the stream starts, and closed when nobody claims it in time. Plus the factory's health.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiRealtimeFactory } from '../../../src/agents/openai-realtime/index.js';
import type { Store } from '../../../src/store/store.js';
import { nobody } from '../../support/routes.js';
import { CALLER, CALL_SID, frame, harness, tick, type Harness } from './harness.js';
import { until } from '../../support/until.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('OpenAI Realtime agent: pre-warm', () => {
  it('opens and configures the session before the call, and the call claims it by CallSid', async () => {
    h = await harness({ factory: { speakFirst: false } });
    h.factory.prewarm?.({ callSid: CALL_SID, from: CALLER, to: null });
    const conn = await h.server.connection();
    await conn.waitFor('session.update'); // configured while the greeting plays
    const agent = await h.startAgent();
    agent.onAudio(frame(0, 0x21));
    const append = await conn.waitFor('input_audio_buffer.append');
    expect(append.audio).toBe(frame(0, 0x21).payload);
    expect(h.server.upgrades).toBe(1); // no second connection
  });

  it('does not pre-warm twice for the same call', async () => {
    h = await harness();
    h.factory.prewarm?.({ callSid: CALL_SID, from: CALLER, to: null });
    h.factory.prewarm?.({ callSid: CALL_SID, from: CALLER, to: null });
    await h.server.connection();
    await tick(50);
    expect(h.server.upgrades).toBe(1);
  });

  it('closes a pre-warmed session nobody claims within the bound; a late call opens its own', async () => {
    h = await harness({ factory: { prewarmTtlMs: 80, speakFirst: false } });
    h.factory.prewarm?.({ callSid: CALL_SID, from: CALLER, to: null });
    const warm = await h.server.connection(1);
    await warm.whenClosed();
    expect(warm.closeInfo?.code).toBe(1000);
    await h.startAgent();
    const fresh = await h.server.connection(2);
    await fresh.waitFor('session.update');
  });

  it('replaces a pre-warmed session that failed before the call with one fresh attempt', async () => {
    h = await harness({ behaviour: { refuse: { status: 500 } }, factory: { speakFirst: false } });
    h.factory.prewarm?.({ callSid: CALL_SID, from: CALLER, to: null });
    await until(() => h!.server.upgrades === 1, 'the pre-warm attempt');
    h.server.behaviour.refuse = undefined;
    await h.startAgent();
    const conn = await h.server.connection(1);
    await conn.waitFor('session.update');
    expect(h.control.voicemail).toBeUndefined();
  });

  it('closes a pre-warmed session at once when its call ends before the stream starts', async () => {
    h = await harness();
    h.factory.prewarm?.({ callSid: CALL_SID, from: CALLER, to: null });
    const conn = await h.server.connection();
    h.factory.release?.(CALL_SID);
    await conn.whenClosed(); // at once: a 1000 once open, an abort (1006) while still connecting
    await h.startAgent();
    await h.server.connection(2); // a stream that still arrives opens its own session
  });

  it('closes waiting pre-warmed sessions when the factory closes', async () => {
    h = await harness();
    h.factory.prewarm?.({ callSid: CALL_SID, from: CALLER, to: null });
    const conn = await h.server.connection();
    await h.factory.close?.();
    await conn.whenClosed();
  });

  it('reports health: ok with a key or a compatible endpoint, disabled without a key for OpenAI', () => {
    const deps = {
      store: {} as Store,
      router: { route: async () => nobody('nobody-available', 'no agents') },
      log: pino({ level: 'silent' }),
    };
    const make = (apiKey: string | undefined, realtimeUrl: string) =>
      createOpenAiRealtimeFactory({
        ...deps,
        config: { apiKey, realtimeUrl, model: 'gpt-realtime', voice: 'alloy', instructionsFile: undefined },
      });
    expect(make('sk-x', 'wss://api.openai.com/v1/realtime').health()).toBe('ok');
    expect(make(undefined, 'wss://api.openai.com/v1/realtime').health()).toBe('disabled');
    expect(make(undefined, 'ws://127.0.0.1:9/v1/realtime').health()).toBe('ok');
  });
});
