// A silent caller on the Realtime agent, against the fake Realtime server and a CallControl whose
// marks the test echoes: the silence is timed from the last mark, each lapse asks the model to
// check in, then a goodbye that is heard before the hang-up; a key starts the count over.
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientEvent, FakeRealtimeConnection } from '../../fakes/fake-realtime-server.js';
import { audio, CALL_SID, harness, tick, type Harness } from './harness.js';
import { until } from '../../support/until.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const REPROMPT_MS = 150;

/** The model: speaks `ms` of audio for each response, filled by what it was asked for. */
function model(fills: Record<string, number>, ms = 200) {
  const asked: { purpose: string; at: number }[] = [];
  const onResponseCreate = (conn: FakeRealtimeConnection, event: ClientEvent): void => {
    const purpose = (event.response as { metadata?: { purpose?: string } } | undefined)?.metadata?.purpose;
    asked.push({ purpose: purpose ?? 'turn', at: Date.now() });
    conn.speak([audio(ms, fills[purpose ?? 'turn'] ?? 0x10)], purpose ?? 'turn');
  };
  return { asked, onResponseCreate };
}

describe('OpenAI Realtime agent: a silent caller', () => {
  it('times the silence from the last mark Twilio echoed, then checks in, says goodbye and hangs up', async () => {
    const m = model({ turn: 0x11, idle_check_in: 0x21, idle_goodbye: 0x23 });
    h = await harness({
      behaviour: { onResponseCreate: m.onResponseCreate },
      factory: { timings: { idleRepromptMs: REPROMPT_MS, idleMaxReprompts: 1 } },
    });
    const { control } = h;
    await h.startAgent();
    await control.until(() => control.pendingMs() === 200, 'the first turn to be sent');
    // The model is long done; the caller is still hearing it. The clock has not started.
    await tick(REPROMPT_MS * 2);
    const heardAt = Date.now();
    control.hearAll();
    await until(() => m.asked.length === 2, 'the check-in');
    expect(m.asked[1]!.purpose).toBe('idle_check_in');
    expect(m.asked[1]!.at - heardAt).toBeGreaterThanOrEqual(REPROMPT_MS - 5);

    await control.until(() => control.pendingMs() === 200, 'the check-in to be sent');
    control.hearAll();
    await until(() => m.asked.length === 3, 'the goodbye');
    expect(m.asked[2]!.purpose).toBe('idle_goodbye');
    await control.until(() => control.pendingMs() === 200, 'the goodbye to be sent');
    expect(control.hangUps).toEqual([]); // not before the caller heard it
    control.hearAll();
    await control.until(() => control.hangUps.length === 1, 'the hang-up');
    expect(control.outcomes).toEqual(['idle-hangup']);
    const played = control.playedBytes();
    expect(played.filter((b) => b === 0x23)).toHaveLength(200 * 8);
    const steps = (await h.store.listCallEvents(CALL_SID)).filter((e) => e.kind === 'agent');
    expect(steps.map((e) => [e.name, e.detail])).toEqual([
      ['idle-reprompt', { n: 1, silentMs: REPROMPT_MS }],
      ['idle-hangup', { reprompts: 1 }],
    ]);
  });

  it('starts the count over when the caller presses a key', async () => {
    const m = model({}, 100);
    h = await harness({
      behaviour: { onResponseCreate: m.onResponseCreate },
      factory: { speakFirst: false, timings: { idleRepromptMs: REPROMPT_MS, idleMaxReprompts: 1 } },
    });
    const { control } = h;
    const agent = await h.startAgent();
    await until(() => m.asked.length === 1, 'the first check-in');
    await control.until(() => control.pendingMs() === 100, 'the check-in to be sent');
    control.hearAll();
    agent.onDtmf('5');
    await until(() => m.asked.length === 2, 'the next lapse');
    await control.until(() => control.pendingMs() === 100, 'the second check-in to be sent');
    control.hearAll();
    await until(() => m.asked.length === 3, 'the goodbye');
    expect(m.asked.map((a) => a.purpose)).toEqual(['idle_check_in', 'idle_check_in', 'idle_goodbye']);
  });
});
