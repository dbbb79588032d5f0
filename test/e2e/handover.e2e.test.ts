// A drain that never cuts a call: two servers on one store (SQLite, and PostgreSQL when
// TEST_DATABASE_URL is set) behind one public host. A call on A is mid-flow when A drains; at
// the deadline A hands it over with a REST update, the emulator (our Twilio) opens the new stream
// on the public host, which the "load balancer" (the emulator's network map) now sends to B, and
// the caller goes on hearing the flow at the step they were at; the timeline records the move.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import twilio from 'twilio';
import { encodeConnected, encodeStart } from '../../src/twilio/stream-messages.js';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import { synthesizeMulaw8k } from '../../src/audio/tts.js';
import { describeEachStore } from '../support/databases.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  startTestServer,
  type LogLine,
  type TestServer,
} from '../support/server.js';
import { until } from '../support/until.js';

const PUBLIC = 'https://calls.handover.test';

describeEachStore('a drained call moves to another instance', (target) => {
  let a: TestServer;
  let b: TestServer;
  let rest: FakeTwilioRest;
  let emulator: TwilioEmulator;
  /** The load balancer: which instance the public host reaches. Mutated when A drains. */
  const map: Record<string, string> = {};
  let name: Buffer;

  beforeAll(async () => {
    const options = await target.freshOptions();
    const [storeA, storeB] = [await target.reopen(options), await target.reopen(options)];
    emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 5,
      networkMap: map,
    });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    const env = { PUBLIC_BASE_URL: PUBLIC, TWILIO_API_BASE_URL: rest.url, DRAIN_TIMEOUT_MS: '300' };
    a = await startTestServer(env, { store: storeA });
    b = await startTestServer(env, { store: storeB });
    map[PUBLIC] = a.origin;
    name = Buffer.from(await synthesizeMulaw8k('דני כהן'));
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await a.stop();
    await b.stop();
  });

  const logged = (s: TestServer, pred: (l: LogLine) => boolean, what: string) =>
    until(() => s.logs.lines.find(pred), what);

  it('goes on at the same step on B, the caller hearing audio throughout', async () => {
    const call = emulator.placeCall({
      webhookUrl: `${PUBLIC}/webhook/incoming_call`,
      statusCallbackUrl: `${PUBLIC}/webhook/call_status`,
    });
    const mine = (l: LogLine) => l.callSid === call.callSid;
    await call.waitFor('first-media-received');
    call.sendDtmf('3');
    await logged(a, (l) => mine(l) && l.msg === 'FLOW_STEP' && l.step === 'ask_name', 'A at ask_name');
    const heardOnA = call.playedAudio().length;

    // A drains: /readyz 503 at once, so the load balancer sends the public host to B only.
    map[PUBLIC] = b.origin;
    const draining = a.stop();
    expect((await fetch(`${a.origin}/readyz`)).status).toBe(503);
    await draining;

    const resumed = await logged(b, (l) => mine(l) && l.msg === 'FLOW_RESUMED', 'B resumes the flow');
    expect(resumed.step).toBe('ask_name');
    expect(a.logs.find(/^HANDOVER_OFFERED/)).toHaveLength(1);
    // The new stream plays the step's prompt again: the caller hears more audio, on stream two.
    await until(() => call.streams.length === 2 && call.playedAudio().length > heardOnA + 8000, 'audio on B');
    expect(call.streams[0]?.endedBy).toBe('api-update');
    expect(call.streams[1]?.customParameters).toMatchObject({
      resume_agent: 'flow',
      resume_step: 'ask_name',
    });

    // Its parameters replayed on another stream claim nothing; altered, their token fails.
    const handover = call.streams[1]!.customParameters;
    expect(await replayStart(b, call.callSid, handover)).toMatch(/token already used/);
    const altered = { ...handover, resume_step: 'goodbye' };
    expect(await replayStart(b, call.callSid, altered)).toMatch(/no valid token/);

    // And the call goes on: the caller's answer is saved by B's flow, which moves on.
    await logged(b, (l) => mine(l) && l.msg === 'FLOW_STEP' && l.step === 'ask_name', 'B at ask_name');
    await until(() => call.streamSid !== undefined, 'the stream on B is open');
    await call.sendAudio(name);
    await logged(
      b,
      (l) => mine(l) && l.msg === 'FLOW_ANSWER_SAVED' && l.field === 'name',
      'answer saved on B',
    );
    await logged(b, (l) => mine(l) && l.msg === 'FLOW_STEP' && l.step === 'ask_need', 'B moves on');

    const result = await call.hangUp();
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    // Nobody reached voicemail: no <Record> was ever run, the <Connect action> of A's stream never asked.
    expect(result.recordings).toEqual([]);
    const timeline = await b.store.listCallEvents(call.callSid);
    const steps = timeline.filter((e) => e.kind === 'handover').map((e) => e.name);
    expect(steps).toEqual(['handover-offered', 'handover-resumed']);
    const metrics = await (await fetch(`${b.origin}/metrics`)).text();
    expect(metrics).toMatch(/agentlocator_handovers_total\{result="resumed"\} 1/);
  });
});

/** Opens a signed stream to `s` as Twilio would and sends a start; resolves with the rejection's detail. */
async function replayStart(s: TestServer, callSid: string, customParameters: Record<string, string>) {
  const signature = twilio.getExpectedTwilioSignature(
    TEST_AUTH_TOKEN,
    `wss://${new URL(PUBLIC).host}/ws/twilio-media`,
    {},
  );
  const ws = new WebSocket(`ws://${s.host}/ws/twilio-media`, {
    headers: { 'x-twilio-signature': signature },
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const streamSid = `MZ${'f'.repeat(32)}`;
  const before = s.logs.find('WS_REJECTED').length;
  ws.send(encodeConnected());
  ws.send(
    encodeStart({ sequenceNumber: 1, accountSid: TEST_ACCOUNT_SID, streamSid, callSid, customParameters }),
  );
  const closed = await new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  expect(closed).toBe(1008);
  const line = await until(() => s.logs.find('WS_REJECTED')[before], 'the rejection is logged');
  expect(line.code).toBe('STREAM_TOKEN_INVALID');
  return String(line.detail);
}
