// IdleWatch on its own, with fake timers: silence is timed only once the agent's audio has been
// heard and nothing is due, each lapse is a check-in and the last one a goodbye, speech or a key
// starts over, and its one timer is gone when the call ends.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { IdleWatch, type IdleHost } from '../../../src/agents/openai-realtime/idle-watch.js';
import type { ResponseRequest } from '../../../src/agents/openai-realtime/client-events.js';

const REPROMPT_MS = 1000;
/** Lets the wait on the (already heard) audio resolve. */
const settle = async (): Promise<void> => void (await vi.advanceTimersByTimeAsync(0));

function host() {
  const asked: string[] = [];
  const ended: [string, string][] = [];
  const steps: [string, Record<string, unknown>][] = [];
  let played: () => void = () => undefined;
  const state = { quiet: true, playing: false };
  const h: IdleHost = {
    quiet: () => state.quiet,
    whenPlayed: () =>
      state.playing ? new Promise<void>((resolve) => (played = resolve)) : Promise.resolve(),
    ask: (r: ResponseRequest) => void asked.push(r.metadata?.purpose ?? '?'),
    end: (reason, outcome) => void ended.push([reason, outcome]),
    timeline: (name, detail) => void steps.push([name, detail]),
    log: () => pino({ level: 'silent' }),
  };
  const hear = async (): Promise<void> => {
    state.playing = false;
    played();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { h, asked, ended, steps, state, hear };
}

describe('IdleWatch', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('starts the clock when the agent’s audio has been heard, not when it was sent', async () => {
    const t = host();
    t.state.playing = true;
    const watch = new IdleWatch({ repromptMs: REPROMPT_MS, maxReprompts: 2 }, t.h);
    watch.update();
    await vi.advanceTimersByTimeAsync(5 * REPROMPT_MS);
    expect(t.asked).toEqual([]); // still playing: nothing is timed
    expect(vi.getTimerCount()).toBe(0);
    await t.hear();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(REPROMPT_MS - 1);
    expect(t.asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.asked).toEqual(['idle_check_in']);
    expect(t.steps).toEqual([['idle-reprompt', { n: 1, silentMs: REPROMPT_MS }]]);
  });

  it('checks in maxReprompts times, then says goodbye and ends with idle-hangup', async () => {
    const t = host();
    const watch = new IdleWatch({ repromptMs: REPROMPT_MS, maxReprompts: 2 }, t.h);
    for (let i = 0; i < 3; i++) {
      watch.update(); // each check-in's response is done and heard: quiet again
      await vi.advanceTimersByTimeAsync(REPROMPT_MS);
    }
    expect(t.asked).toEqual(['idle_check_in', 'idle_check_in', 'idle_goodbye']);
    expect(t.steps.map(([name, d]) => [name, d.n ?? d.reprompts])).toEqual([
      ['idle-reprompt', 1],
      ['idle-reprompt', 2],
      ['idle-hangup', 2],
    ]);
    expect(t.ended).toEqual([['caller silent', 'idle-hangup']]);
    watch.update();
    expect(vi.getTimerCount()).toBe(0); // stopped for good
  });

  it('does not time a caller who is speaking, and starts the count over after speech', async () => {
    const t = host();
    const watch = new IdleWatch({ repromptMs: REPROMPT_MS, maxReprompts: 1 }, t.h);
    watch.update();
    await vi.advanceTimersByTimeAsync(REPROMPT_MS);
    expect(t.asked).toEqual(['idle_check_in']);
    watch.speechStarted();
    watch.update();
    expect(vi.getTimerCount()).toBe(0);
    watch.speechStopped();
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(REPROMPT_MS);
    // With the count started over, this lapse is a first check-in again, not the goodbye.
    expect(t.asked).toEqual(['idle_check_in', 'idle_check_in']);
    expect(t.ended).toEqual([]);
  });

  it('starts the count and the clock over on a key', async () => {
    const t = host();
    const watch = new IdleWatch({ repromptMs: REPROMPT_MS, maxReprompts: 1 }, t.h);
    watch.update();
    await vi.advanceTimersByTimeAsync(REPROMPT_MS);
    watch.update();
    await vi.advanceTimersByTimeAsync(REPROMPT_MS / 2);
    watch.keyPressed();
    await vi.advanceTimersByTimeAsync(REPROMPT_MS - 1);
    expect(t.asked).toEqual(['idle_check_in']);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.asked).toEqual(['idle_check_in', 'idle_check_in']);
  });

  it('stops timing while the agent owes a response, and clears its timer when the call ends', async () => {
    const t = host();
    const watch = new IdleWatch({ repromptMs: REPROMPT_MS, maxReprompts: 2 }, t.h);
    watch.update();
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    t.state.quiet = false; // e.g. response.created
    watch.update();
    expect(vi.getTimerCount()).toBe(0);
    t.state.quiet = true;
    watch.update();
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * REPROMPT_MS);
    expect(t.asked).toEqual([]);
  });
});
