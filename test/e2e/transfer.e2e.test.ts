// The transfer that reaches a person, end to end with the flow agent: the emulator's caller presses
// a key, the server routes through the AGENTS_FILE directory, updates the live call over the real
// REST client with a <Dial> of one ring group, whispers to each agent who picks up, and follows
// every dial_status to the next group, a bridge, or voicemail — on the timeline and in the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TwilioEmulator,
  startFakeTwilioRest,
  type AgentBehaviour,
  type AgentPhone,
  type CallResult,
  type EmulatedCall,
  type FakeTwilioRest,
} from '../../src/emulator/index.js';
import type { LiveCallEvent } from '../../src/call/call-events.js';
import { renderPromptCached } from '../../src/audio/tts.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const DANA = '+972501110001';
const AVI = '+972501110002';
const SOLO = '+972501110003';
const CALLER = '+972541234567';
const CLOSED_PROMPT = 'התמיכה סגורה כעת. השאירו הודעה אחרי הצליל.';
const NO_ANSWER_PROMPT = 'כל נציגי המכירות עסוקים. השאירו הודעה אחרי הצליל.';

const DIRECTORY = `
timezone: Asia/Jerusalem
departments:
  sales:
    strategy: sequential
    ringSeconds: 5
    hours: { always: true }
    noAnswerPrompt: "${NO_ANSWER_PROMPT}"
  support:
    strategy: sequential
    hours: { sun-sat: closed }
    afterHoursPrompt: "${CLOSED_PROMPT}"
  solo: { strategy: sequential, ringSeconds: 5, hours: { always: true } }
agents:
  - { id: dana, name: "דנה כהן", phone: "${DANA}", departments: [sales, support], priority: 1 }
  - { id: avi, name: "Avi Levi", phone: "${AVI}", departments: [sales], priority: 2 }
  - { id: solo, name: "Solo", phone: "${SOLO}", departments: [solo], maxCalls: 1 }
`;

/** A menu of three transfers, none with a fallback: nobody to take the call means voicemail. */
const FLOW = {
  start: 'menu',
  goodbyeNoInput: 'להתראות',
  steps: {
    menu: {
      type: 'menu',
      prompt: 'למכירות הקישו 1. לתמיכה הקישו 2. לנציג היחיד הקישו 3.',
      options: { '1': 'sales', '2': 'support', '3': 'solo' },
    },
    sales: { type: 'transfer', prompt: 'מעבירים אתכם לנציג מכירות.', department: 'sales', topic: 'מכירות' },
    support: { type: 'transfer', prompt: 'מעבירים אתכם לתמיכה.', department: 'support' },
    solo: { type: 'transfer', prompt: 'מעבירים אתכם לנציג.', department: 'solo' },
  },
};

describe('a transfer to a person, end to end', { timeout: 60_000 }, () => {
  let s: TestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;
  const live: LiveCallEvent[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'transfer-e2e-'));
    writeFileSync(path.join(dir, 'agents.yaml'), DIRECTORY);
    writeFileSync(path.join(dir, 'flow.json'), JSON.stringify(FLOW));
    emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: 10 });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    s = await startTestServer({
      AGENTS_FILE: path.join(dir, 'agents.yaml'),
      FLOW_FILE: path.join(dir, 'flow.json'),
      TWILIO_API_BASE_URL: rest.url,
    });
    s.built.deps.events.subscribe((e) => live.push(e));
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await s.stop();
  });

  const place = (from: string, agents: Record<string, AgentBehaviour | AgentPhone>): EmulatedCall =>
    emulator.placeCall({
      webhookUrl: `${s.origin}/webhook/incoming_call`,
      statusCallbackUrl: `${s.origin}/webhook/call_status`,
      from,
      caller: { dial: { agents }, record: { durationSec: 1, end: 'hangup' } },
    });

  /** Calls (from CALLER unless said), presses `key` once the menu plays, and lets the call end. */
  async function callAndPress(
    key: string,
    agents: Record<string, AgentBehaviour | AgentPhone>,
    from = CALLER,
  ): Promise<{ call: EmulatedCall; result: CallResult }> {
    const call = place(from, agents);
    await call.waitFor('first-media-received');
    call.sendDtmf(key);
    return { call, result: await call.done };
  }

  const steps = async (callSid: string) =>
    (await s.store.listCallEvents(callSid))
      .filter((e) => e.kind === 'transfer')
      .map((e) => [e.name, e.detail?.agentId ?? e.detail?.reason ?? null]);

  const until = async (test: () => Promise<boolean>, what: string): Promise<void> => {
    const end = Date.now() + 10_000;
    while (!(await test())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const healthy = (result: CallResult) =>
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);

  it('rings Dana, who does not answer, then Avi, who accepts the whisper: bridged, then goodbye', async () => {
    const { call, result } = await callAndPress('1', {
      [DANA]: 'no-answer',
      [AVI]: { behaviour: 'accept', durationSec: 2 },
    });
    healthy(result);
    expect(result).toMatchObject({ status: 'completed' });
    expect(result.streams[0]!.endedBy).toBe('api-update');

    // One REST update: the first group's <Dial>, absolute URLs on the public origin.
    const update = rest.requests.find((r) => r.path.includes(call.callSid) && r.params.Twiml);
    expect(update!.params.Twiml).toContain(
      `<Dial action="${s.origin}/webhook/dial_status?attempt=0" method="POST" timeout="5" answerOnBridge="true" callerId="+97233760000">`,
    );
    expect(update!.params.Twiml).toContain(
      `<Number url="${s.origin}/webhook/agent_whisper?attempt=0&amp;agent=dana" method="POST">${DANA}</Number>`,
    );
    expect(result.dials.map((d) => [d.legs.map((l) => l.number), d.outcome, d.bridged])).toEqual([
      [[DANA], 'no-answer', false],
      [[AVI], 'completed', true],
    ]);
    // Avi heard who was calling and why, pressed 1, and was bridged.
    const leg = result.dials[1]!.legs[0]!;
    expect(leg).toMatchObject({ outcome: 'bridged', digits: ['1'] });
    expect(leg.whisper[0]!.xml).toContain('שיחה מ-0 5 4, 1 2 3, 4 5 6 7, בנושא מכירות. הקישו 1 לקבלת השיחה.');
    expect(leg.whisper[0]!.xml).toContain('<Gather numDigits="1"');
    // After the bridge the caller is thanked and the call ends.
    expect(result.timeline.filter((e) => e.kind === 'say').map((e) => e.detail.text)).toEqual([
      'תודה שהתקשרתם. להתראות.',
    ]);

    expect(await steps(call.callSid)).toEqual([
      ['transfer-requested', null],
      ['agent-ringing', 'dana'],
      ['agent-no-answer', 'dana'],
      ['agent-ringing', 'avi'],
      ['agent-answered', 'avi'],
    ]);
    const requested = (await s.store.listCallEvents(call.callSid)).find(
      (e) => e.name === 'transfer-requested',
    );
    expect(requested!.detail).toMatchObject({ department: 'sales', candidates: [['dana'], ['avi']] });
    expect(await s.store.getCall(call.callSid)).toMatchObject({
      outcome: 'transferred',
      status: 'completed',
    });
    expect(await s.store.getCallAgent(call.callSid)).toBe('avi');
    // Every line the call held is free again, each with how its leg ended.
    await until(
      async () => (await s.store.listAgentLegs(call.callSid)).every((l) => l.endedAt !== null),
      'the lines to be released',
    );
    const legs = await s.store.listAgentLegs(call.callSid);
    expect(legs.map((l) => [l.agentId, l.outcome, l.answeredAt !== null])).toEqual([
      ['dana', 'no-answer', false],
      ['avi', 'completed', true],
    ]);
    // The dashboard's live feed saw each step; no phone number travels with them.
    const mine = live.filter((e) => e.callSid === call.callSid && e.type === 'transfer');
    expect(mine.map((e) => (e.type === 'transfer' ? e.step : ''))).toContain('agent-answered');
    expect(JSON.stringify(mine)).not.toContain(DANA.slice(4));
    expect(JSON.stringify(s.logs.lines)).not.toContain(AVI.slice(4));
    expect(JSON.stringify(s.logs.lines)).not.toContain(CALLER.slice(4));
    // Transfers by result, for alerting (the first test: one requested, one answered so far).
    const metrics = await (await fetch(`${s.origin}/metrics`)).text();
    expect(metrics).toMatch(/^agentlocator_transfers_total\{result="requested"\} 1$/m);
    expect(metrics).toMatch(/^agentlocator_transfers_total\{result="answered"\} 1$/m);
  });

  it('answers a retried dial_status as before, without ringing anyone again', async () => {
    const call = place('+972541110002', {
      [DANA]: 'busy',
      [AVI]: { behaviour: 'accept', durationSec: 4 },
    });
    await call.waitFor('first-media-received');
    call.sendDtmf('1');
    // While Avi talks with the caller, Twilio retries the first dial_status (its answer was lost).
    const busy = await call.waitFor('dial-end');
    await call.waitFor('agent-bridged');
    const retryParams = {
      AccountSid: TEST_ACCOUNT_SID,
      CallSid: call.callSid,
      CallStatus: 'in-progress',
      DialCallStatus: 'busy',
      DialCallSid: String(busy.detail.dialCallSid),
      DialBridged: 'false',
    };
    const retries = await Promise.all(
      [1, 2].map(() => postSigned(`${s.origin}/webhook/dial_status?attempt=0`, retryParams)),
    );
    const bodies = await Promise.all(retries.map((r) => r.text()));
    const result = await call.done;
    healthy(result);

    const first = result.requests.find((r) => r.purpose === 'action' && r.url.endsWith('attempt=0'))!;
    expect(first.body).toContain(`<Number url="${s.origin}/webhook/agent_whisper?attempt=1&amp;agent=avi"`);
    expect(bodies).toEqual([first.body, first.body]);
    // Avi was rung once, Dana's busy line was not rung again, and no third line was taken.
    expect(result.dials.map((d) => d.legs.map((l) => l.number))).toEqual([[DANA], [AVI]]);
    expect((await steps(call.callSid)).filter(([name]) => name === 'agent-ringing')).toEqual([
      ['agent-ringing', 'dana'],
      ['agent-ringing', 'avi'],
    ]);
    expect((await s.store.listAgentLegs(call.callSid)).map((l) => l.agentId)).toEqual(['dana', 'avi']);
    expect(s.logs.find(/^DIAL_STATUS_RETRY/).filter((l) => l.callSid === call.callSid)).toHaveLength(2);
  });

  it('rings a returning caller’s own agent first (sticky)', async () => {
    // +972541234567 was put through to Avi by the first test.
    const { call, result } = await callAndPress('1', { [AVI]: 'accept' });
    healthy(result);
    expect(result.dials[0]!.legs.map((l) => l.number)).toEqual([AVI]);
    const requested = (await s.store.listCallEvents(call.callSid)).find(
      (e) => e.name === 'transfer-requested',
    );
    expect(requested!.detail).toMatchObject({ sticky: true, candidates: [['avi'], ['dana']] });
  });

  it('takes a message when every agent declines the whisper, recorded on the call', async () => {
    const { call, result } = await callAndPress('1', { [DANA]: 'decline', [AVI]: 'silent' }, '+972541110003');
    healthy(result);
    expect(result.dials.map((d) => [d.outcome, d.bridged])).toEqual([
      ['completed', false],
      ['completed', false],
    ]);
    // The last dial_status answered the department's no-answer prompt and <Record>.
    const voicemail = result.documents.find((d) => d.url?.endsWith('attempt=1'))!;
    expect(voicemail.xml).toContain(NO_ANSWER_PROMPT);
    expect(voicemail.xml).toContain(`<Record action="${s.origin}/webhook/handle_recording"`);
    expect(result.recordings).toHaveLength(1);
    const recordings = await s.store.listRecordings(call.callSid);
    expect(recordings.find((r) => r.source === 'voicemail')).toMatchObject({
      recordingSid: result.recordings[0]!.recordingSid,
    });
    expect(await steps(call.callSid)).toEqual([
      ['transfer-requested', null],
      ['agent-ringing', 'dana'],
      ['agent-declined', 'dana'],
      ['agent-ringing', 'avi'],
      ['agent-declined', 'avi'],
      ['voicemail', 'no-answer'],
    ]);
    const declined = (await s.store.listCallEvents(call.callSid)).filter((e) => e.name === 'agent-declined');
    expect(declined.map((e) => e.detail?.why)).toEqual(['another key', 'no key pressed']);
    expect(await s.store.getCall(call.callSid)).toMatchObject({ outcome: 'voicemail' });
    expect(await s.store.getCallAgent(call.callSid)).toBeUndefined();
  });

  it('after hours says the department’s after-hours prompt, never "transferring", then voicemail', async () => {
    const { call, result } = await callAndPress('2', {}, '+972541110004');
    healthy(result);
    expect(result.dials).toEqual([]);
    expect(rest.requests.filter((r) => r.path.includes(call.callSid))).toEqual([]);
    // The caller heard the after-hours prompt (the flow's own voice), then the beep and <Record>.
    const closed = Buffer.from(
      await renderPromptCached(CLOSED_PROMPT, s.config.promptCacheDir, { voice: 'he' }),
    );
    const transferring = Buffer.from(
      await renderPromptCached('מעבירים אתכם לתמיכה.', s.config.promptCacheDir, { voice: 'he' }),
    );
    const heard = result.playedAudio;
    expect(heard.includes(closed.subarray(800, 2400))).toBe(true);
    expect(heard.includes(transferring.subarray(800, 2400))).toBe(false);
    const voicemail = result.documents.find((d) => d.url?.endsWith('/webhook/stream_ended'))!;
    expect(voicemail.xml).toContain('<Record');
    expect(voicemail.xml).not.toContain('<Say'); // already said, in the flow's voice
    expect(result.recordings).toHaveLength(1);
    expect(await steps(call.callSid)).toEqual([
      ['transfer-requested', 'after-hours'],
      ['voicemail', 'after-hours'],
    ]);
    expect(await s.store.getCall(call.callSid)).toMatchObject({ outcome: 'voicemail' });
  });

  it('never rings a one-line agent for two calls at once', async () => {
    const solo = { [SOLO]: { behaviour: 'accept', answerAfterMs: 3000, durationSec: 3 } as const };
    const calls = [place('+972541110005', solo), place('+972541110006', solo)];
    await Promise.all(calls.map((c) => c.waitFor('first-media-received')));
    for (const c of calls) c.sendDtmf('3');
    const results = await Promise.all(calls.map((c) => c.done));
    for (const r of results) healthy(r);

    const rang = results.map((r) => r.dials.flatMap((d) => d.legs).filter((l) => l.number === SOLO));
    expect(rang.map((legs) => legs.length).sort()).toEqual([0, 1]);
    // The other caller was told nobody is free and left a message.
    const other = results[rang[0]!.length === 0 ? 0 : 1]!;
    expect(other.recordings).toHaveLength(1);
    expect(await s.store.getCall(other.callSid)).toMatchObject({ outcome: 'voicemail' });
    expect(await steps(other.callSid)).toContainEqual(['voicemail', 'all-busy']);
    const took = results.find((r) => r !== other)!;
    expect(await s.store.getCallAgent(took.callSid)).toBe('solo');
  });
});
