// A silent caller on the OpenAI Realtime agent, end to end: the real server (IDLE_REPROMPT_SEC
// short) against the fake Realtime server, the call placed by the Twilio emulator, the hang-up
// through the real REST client into the fake Twilio REST API. Silence is timed from the marks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TwilioEmulator,
  startFakeTwilioRest,
  type EmulatedCall,
  type FakeTwilioRest,
  type TimelineEvent,
} from '../../src/emulator/index.js';
import {
  FakeRealtimeServer,
  type ClientEvent,
  type FakeRealtimeConnection,
} from '../fakes/fake-realtime-server.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, startTestServer, type TestServer } from '../support/server.js';

const REPROMPT_MS = 300;
/** `ms` of μ-law audio whose bytes all equal `fill`, in 100 ms deltas as the service streams it. */
const deltas = (ms: number, fill: number): Buffer[] =>
  Array.from({ length: Math.ceil(ms / 100) }, (_, i) => Buffer.alloc(Math.min(100, ms - i * 100) * 8, fill));
const count = (audio: Buffer, fill: number): number => audio.reduce((n, b) => n + (b === fill ? 1 : 0), 0);
const markEnd = (name: unknown): number => Number(/^g\d+:([\d.]+):\d+$/.exec(String(name))?.[1] ?? NaN);

/** What the fake model says for each kind of request: the speak-first turn, a reply, a check-in, a goodbye. */
type Lines = Record<'turn' | 'idle_check_in' | 'idle_goodbye', { ms: number; fill: number }>;

describe('the OpenAI Realtime agent with a silent caller', () => {
  let fake: FakeRealtimeServer;
  let s: TestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;
  let callers = 0;
  /** Per caller number: what the model says, and the purposes it was asked for, in order. */
  const scripts = new Map<string, { lines: Lines; asked: string[] }>();

  const scriptOf = (conn: FakeRealtimeConnection) => {
    const instructions = String(conn.session.instructions ?? '');
    for (const [from, script] of scripts) if (instructions.includes(from)) return script;
    return undefined;
  };

  const onResponseCreate = (conn: FakeRealtimeConnection, event: ClientEvent): void => {
    const body = (event.response ?? {}) as { conversation?: string; metadata?: Record<string, string> };
    if (body.conversation === 'none') {
      // The post-call summary (nothing was said).
      const r = conn.startResponse({
        conversation: 'none',
        ...(body.metadata ? { metadata: body.metadata } : {}),
      });
      conn.text(r, '{"summary": "המתקשר שתק.", "lead": null}');
      return conn.finishResponse(r);
    }
    const script = scriptOf(conn);
    const purpose = (body.metadata?.purpose ?? 'turn') as keyof Lines;
    script?.asked.push(purpose);
    const line = script?.lines[purpose] ?? { ms: 100, fill: 0x10 };
    conn.speak(deltas(line.ms, line.fill), purpose);
  };

  beforeAll(async () => {
    fake = await FakeRealtimeServer.start({ onResponseCreate });
    emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: 2 });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    s = await startTestServer({
      AGENT: 'openai-realtime',
      OPENAI_API_KEY: 'sk-e2e-test-key',
      OPENAI_REALTIME_URL: fake.url,
      TWILIO_API_BASE_URL: rest.url,
      IDLE_REPROMPT_SEC: String(REPROMPT_MS / 1000),
    });
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await s.stop();
    await fake.close();
  });

  function place(lines: Lines): { call: EmulatedCall; from: string; asked: string[] } {
    callers += 1;
    const from = `+9725022200${String(callers).padStart(2, '0')}`;
    const asked: string[] = [];
    scripts.set(from, { lines, asked });
    const call = emulator.placeCall({
      webhookUrl: `${s.origin}/webhook/incoming_call`,
      statusCallbackUrl: `${s.origin}/webhook/call_status`,
      from,
    });
    return { call, from, asked };
  }

  async function until(test: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await test())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const of = (call: EmulatedCall, kind: string): TimelineEvent[] =>
    call.timeline.filter((e) => e.kind === kind);

  /** The call ended by Twilio's REST API once the goodbye had been heard, with outcome idle-hangup. */
  async function expectIdleHangUp(call: EmulatedCall, goodbye: { ms: number; fill: number }): Promise<void> {
    const result = await call.done;
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    expect(result.endedBy).toBe('api');
    expect(result.streams[0]!.endedBy).toBe('api-hangup');
    const hangUp = rest.requests.find((r) => r.path.includes(call.callSid) && r.params.Status);
    expect(hangUp).toMatchObject({ method: 'POST', status: 200, params: { Status: 'completed' } });
    expect(count(result.playedAudio, goodbye.fill)).toBe(goodbye.ms * 8);
    const lastPlayed = of(call, 'mark-echoed')
      .filter((e) => e.detail.reason === 'played')
      .at(-1)!;
    expect(of(call, 'rest-update')[0]!.t).toBeGreaterThanOrEqual(lastPlayed.t);
    await until(async () => (await s.store.getCall(call.callSid))?.outcome === 'idle-hangup', 'the outcome');
  }

  const agentSteps = async (callSid: string) =>
    (await s.store.listCallEvents(callSid)).filter((e) => e.kind === 'agent').map((e) => [e.name, e.detail]);

  it('checks in twice with a silent caller, says goodbye, and hangs up by REST once it is heard', async () => {
    const lines: Lines = {
      turn: { ms: 1000, fill: 0x11 },
      idle_check_in: { ms: 300, fill: 0x21 },
      idle_goodbye: { ms: 400, fill: 0x23 },
    };
    const { call, asked } = place(lines);
    await expectIdleHangUp(call, lines.idle_goodbye);

    expect(asked).toEqual(['turn', 'idle_check_in', 'idle_check_in', 'idle_goodbye']);
    expect(count(call.playedAudio(), 0x21)).toBe(2 * 300 * 8);
    // The clock started when Twilio echoed the greeting's last mark (at twice real time the model
    // had finished sending it 500 ms before that), not when the model was done.
    const greetingHeard = of(call, 'mark-echoed').find((e) => markEnd(e.detail.name) === 1000)!;
    const checkInSent = of(call, 'mark-received').find((e) => markEnd(e.detail.name) > 1000)!;
    expect(checkInSent.t - greetingHeard.t).toBeGreaterThanOrEqual(REPROMPT_MS - 5);
    expect(await agentSteps(call.callSid)).toEqual([
      ['idle-reprompt', { n: 1, silentMs: REPROMPT_MS }],
      ['idle-reprompt', { n: 2, silentMs: REPROMPT_MS }],
      ['idle-hangup', { reprompts: 2 }],
    ]);
  });

  it('starts the count over when the caller speaks after the first check-in', async () => {
    const lines: Lines = {
      turn: { ms: 200, fill: 0x11 },
      idle_check_in: { ms: 200, fill: 0x21 },
      idle_goodbye: { ms: 200, fill: 0x23 },
    };
    const { call, from, asked } = place(lines);
    await until(() => count(call.playedAudio(), 0x21) === 200 * 8, 'the first check-in to be heard');
    const conn = fake.connections.find((c) => String(c.session.instructions ?? '').includes(from))!;
    // The caller answers; the provider's VAD hears it and the model replies.
    const at = conn.appends * 20;
    await call.sendAudio(Buffer.alloc(400 * 8, 0x40));
    const said = conn.speechStarted(at);
    conn.speechStopped(said, at + 400);
    conn.speak(deltas(200, 0x31), 'כן, אני כאן.');
    await expectIdleHangUp(call, lines.idle_goodbye);

    // Two more check-ins after the reply: the count started over at the caller's speech.
    expect(asked).toEqual(['turn', 'idle_check_in', 'idle_check_in', 'idle_check_in', 'idle_goodbye']);
    expect(count(call.playedAudio(), 0x31)).toBe(200 * 8);
    expect((await agentSteps(call.callSid)).map(([name, d]) => [name, (d as { n?: number }).n])).toEqual([
      ['idle-reprompt', 1],
      ['idle-reprompt', 1],
      ['idle-reprompt', 2],
      ['idle-hangup', undefined],
    ]);
  });
});
