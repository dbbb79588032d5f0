// The Realtime agent across a drain, and MAX_AI_SESSIONS: two servers (AGENT=openai-realtime, one
// SQLite store, the fake Realtime server) behind one public host. A's call is handed over at its
// drain deadline; B opens a fresh session briefed with the transcript so far, and the caller goes
// on hearing the agent. Over MAX_AI_SESSIONS a call is answered by the flow agent instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import { FakeRealtimeServer, type FakeRealtimeConnection } from '../fakes/fake-realtime-server.js';
import { useStoreTarget, STORE_BACKENDS } from '../support/databases.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  startTestServer,
  type LogLine,
  type TestServer,
} from '../support/server.js';
import { until } from '../support/until.js';

const PUBLIC = 'https://realtime.handover.test';
const GREETING = 'שלום, כאן הסוכנות, במה אפשר לעזור?';
/** 200 ms of agent audio in 100 ms deltas (0x11: not silence). */
const agentAudio = () => [Buffer.alloc(800, 0x11), Buffer.alloc(800, 0x11)];

describe('the Realtime agent across a drain, and MAX_AI_SESSIONS', () => {
  const target = useStoreTarget(STORE_BACKENDS[0]!);
  let fake: FakeRealtimeServer;
  let a: TestServer;
  let b: TestServer;
  let rest: FakeTwilioRest;
  let emulator: TwilioEmulator;
  const map: Record<string, string> = {};

  beforeAll(async () => {
    fake = await FakeRealtimeServer.start({
      onResponseCreate: (conn: FakeRealtimeConnection) => conn.speak(agentAudio(), GREETING),
    });
    const options = await target.freshOptions();
    emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 5,
      networkMap: map,
    });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    const env = {
      AGENT: 'openai-realtime',
      OPENAI_API_KEY: 'sk-handover-test',
      OPENAI_REALTIME_URL: fake.url,
      PUBLIC_BASE_URL: PUBLIC,
      TWILIO_API_BASE_URL: rest.url,
      DRAIN_TIMEOUT_MS: '300',
    };
    a = await startTestServer(env, { store: await target.reopen(options) });
    b = await startTestServer({ ...env, MAX_AI_SESSIONS: '1' }, { store: await target.reopen(options) });
    map[PUBLIC] = a.origin;
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await a.stop();
    await b.stop();
    await fake.close();
  });

  const logged = (s: TestServer, pred: (l: LogLine) => boolean, what: string) =>
    until(() => s.logs.lines.find(pred), what);

  it('resumes on B with a fresh session briefed with the transcript, and the caller hears it', async () => {
    const call = emulator.placeCall({
      webhookUrl: `${PUBLIC}/webhook/incoming_call`,
      statusCallbackUrl: `${PUBLIC}/webhook/call_status`,
    });
    const mine = (l: LogLine) => l.callSid === call.callSid;
    await call.waitFor('first-media-received');
    // The agent's first turn is in the store: what B will be briefed with.
    await until(async () => (await a.store.listTranscript(call.callSid)).length > 0, 'a transcript turn');
    const sessionsBefore = fake.connections.length;
    const heardOnA = call.playedAudio().length;

    map[PUBLIC] = b.origin;
    await a.stop();

    await logged(
      b,
      (l) => mine(l) && l.msg === 'HANDOVER_RESUMED' && l.agent === 'openai-realtime',
      'B resumes',
    );
    const fresh = await until(() => fake.connections[sessionsBefore], 'a new Realtime session from B');
    const update = await until(() => fresh.of('session.update')[0], 'its session.update');
    const instructions = String((update.session as { instructions?: string }).instructions);
    expect(instructions).toContain('השיחה נותקה לרגע');
    expect(instructions).toContain(GREETING);
    // The agent goes on (a response), and its audio reaches the caller on the new stream.
    await until(() => fresh.of('response.create').length > 0, 'B asks the model to go on');
    await until(
      () => call.streams.length === 2 && call.playedAudio().length > heardOnA,
      'agent audio from B',
    );
    const result = await call.hangUp();
    expect(result.recordings).toEqual([]);
    const steps = (await b.store.listCallEvents(call.callSid)).filter((e) => e.kind === 'handover');
    expect(steps.map((e) => e.name)).toEqual(['handover-offered', 'handover-resumed']);
  });

  it('answers a call over MAX_AI_SESSIONS with the flow agent', async () => {
    const first = emulator.placeCall({ webhookUrl: `${PUBLIC}/webhook/incoming_call` });
    await first.waitFor('first-media-received');
    const second = emulator.placeCall({ webhookUrl: `${PUBLIC}/webhook/incoming_call` });
    const over = await logged(
      b,
      (l) => l.callSid === second.callSid && /^AI_SESSIONS_FULL/.test(l.msg),
      'the cap',
    );
    expect(over).toMatchObject({ aiSessions: 1, max: 1 });
    await logged(
      b,
      (l) => l.callSid === second.callSid && l.msg === 'FLOW_STEP' && l.step === 'welcome',
      'the flow answers',
    );
    await second.waitFor('first-media-received');
    const metrics = await (await fetch(`${b.origin}/metrics`)).text();
    expect(metrics).toMatch(/^agentlocator_capacity_rejections_total\{limit="ai-sessions"\} 1$/m);
    await second.hangUp();
    await first.hangUp();
  });
});
