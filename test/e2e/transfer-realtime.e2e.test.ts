// The Realtime agent's transfer_to_human end to end, with a real AGENTS_FILE directory: the fake
// model calls the tool by department or by a person's name, the server rings that person through
// the REST API with a whisper naming the caller's need, and a name not in the directory is refused
// in the tool's answer while the call goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TwilioEmulator,
  startFakeTwilioRest,
  type EmulatedCall,
  type FakeTwilioRest,
} from '../../src/emulator/index.js';
import { FakeRealtimeServer, type FakeRealtimeConnection } from '../fakes/fake-realtime-server.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, startTestServer, type TestServer } from '../support/server.js';

const DANA = '+972502220001';
const AVI = '+972502220002';
const DIRECTORY = `
departments:
  sales: { strategy: sequential, ringSeconds: 5, hours: { always: true } }
  support: { strategy: sequential, ringSeconds: 5, hours: { always: true } }
agents:
  - { id: dana, name: "דנה כהן", phone: "${DANA}", departments: [sales] }
  - { id: avi, name: "Avi Levi", phone: "${AVI}", departments: [support] }
`;

/** What the model does first on a call: one short sentence, then the tool call. */
type FirstTurn = (conn: FakeRealtimeConnection) => void;

describe('transfer_to_human in a real call', { timeout: 60_000 }, () => {
  let fake: FakeRealtimeServer;
  let s: TestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;
  const firstTurns = new Map<string, FirstTurn>();
  let callers = 0;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'transfer-realtime-'));
    writeFileSync(path.join(dir, 'agents.yaml'), DIRECTORY);
    const seen = new WeakSet<FakeRealtimeConnection>();
    fake = await FakeRealtimeServer.start({
      onResponseCreate: (conn) => {
        const instructions = String(conn.session.instructions ?? '');
        const turn = [...firstTurns].find(([from]) => instructions.includes(from))?.[1];
        // Later turns (after a tool's answer) say a word and wait.
        if (seen.has(conn) || !turn) return void conn.speak([Buffer.alloc(400, 0x21)], 'בסדר.');
        seen.add(conn);
        turn(conn);
      },
    });
    emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: 10 });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    s = await startTestServer({
      AGENT: 'openai-realtime',
      OPENAI_REALTIME_URL: fake.url,
      AGENTS_FILE: path.join(dir, 'agents.yaml'),
      TWILIO_API_BASE_URL: rest.url,
    });
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await s.stop();
    await fake.close();
  });

  /** A call whose model calls transfer_to_human with `args` in its first turn. */
  function callWithTool(args: Record<string, string>, agents: Record<string, 'accept'> = {}): EmulatedCall {
    callers += 1;
    const from = `+9725433300${String(callers).padStart(2, '0')}`;
    firstTurns.set(from, (conn) => {
      const r = conn.startResponse();
      const item = conn.addAudioItem(r);
      conn.audioDelta(r, item, Buffer.alloc(800, 0x33));
      conn.transcriptDone(r, item, 'רגע, אני מעביר אותך.');
      conn.functionCall(r, 'transfer_to_human', args);
      conn.finishResponse(r);
    });
    return emulator.placeCall({
      webhookUrl: `${s.origin}/webhook/incoming_call`,
      statusCallbackUrl: `${s.origin}/webhook/call_status`,
      from,
      caller: { dial: { agents } },
    });
  }

  const transferSteps = async (callSid: string) =>
    (await s.store.listCallEvents(callSid)).filter((e) => e.kind === 'transfer');

  it('puts the caller through to a department, with the caller’s need in the whisper', async () => {
    const call = callWithTool({ department: 'sales', reason: 'דירה בחיפה' }, { [DANA]: 'accept' });
    await call.waitFor('agent-bridged');
    const result = await call.hangUp();
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    const leg = result.dials[0]!.legs[0]!;
    expect(leg).toMatchObject({ number: DANA, outcome: 'bridged', digits: ['1'] });
    expect(leg.whisper[0]!.xml).toContain('בנושא דירה בחיפה. הקישו 1 לקבלת השיחה.');
    // The announcement was heard in full before the call moved.
    expect(result.playedAudio.filter((b) => b === 0x33).length).toBe(800);
    const steps = await transferSteps(call.callSid);
    expect(steps.map((e) => [e.name, e.detail?.agentId ?? null])).toEqual([
      ['transfer-requested', null],
      ['agent-ringing', 'dana'],
      ['agent-answered', 'dana'],
    ]);
    expect(steps[0]!.detail).toMatchObject({ department: 'sales', byPerson: false, candidates: [['dana']] });
    expect(await s.store.getCallAgent(call.callSid)).toBe('dana');
    expect(await s.store.getCall(call.callSid)).toMatchObject({ outcome: 'transferred' });
  });

  it('puts the caller through to a person asked for by name, in any case', async () => {
    const call = callWithTool({ person: 'avi LEVI' }, { [AVI]: 'accept' });
    await call.waitFor('agent-bridged');
    const result = await call.hangUp();
    expect(result.dials[0]!.legs.map((l) => [l.number, l.outcome])).toEqual([[AVI, 'bridged']]);
    const steps = await transferSteps(call.callSid);
    expect(steps[0]!.detail).toMatchObject({ department: 'support', byPerson: true, candidates: [['avi']] });
    expect(await s.store.getCallAgent(call.callSid)).toBe('avi');
  });

  it('refuses a name that is not in the directory, and the conversation goes on', async () => {
    const call = callWithTool({ person: 'משה' });
    const conn = await fakeConnectionFor(call);
    const output = await conn.waitFor('conversation.item.create', (e) => {
      const item = e.item as { type?: string };
      return item.type === 'function_call_output';
    });
    const answer = JSON.parse((output.item as { output: string }).output) as Record<string, unknown>;
    expect(answer).toMatchObject({ ok: false, error: expect.stringContaining('"משה" is in the directory') });
    // The model's next turn is heard: the caller is still talking to the agent, not dialled anywhere.
    await until(() => call.playedAudio().filter((b) => b === 0x21).length === 400, 'the next turn');
    const result = await call.hangUp();
    expect(result.dials).toEqual([]);
    expect(rest.requests.filter((r) => r.path.includes(call.callSid))).toEqual([]);
    const steps = await transferSteps(call.callSid);
    expect(steps.map((e) => e.name)).toEqual(['transfer-requested']);
    expect(steps[0]!.detail).toMatchObject({ reason: 'unknown-person', candidates: [] });
    // What the caller asked for is not kept on the timeline.
    expect(JSON.stringify(steps)).not.toContain('משה');
  });

  async function fakeConnectionFor(call: EmulatedCall): Promise<FakeRealtimeConnection> {
    const from = call.from;
    let found: FakeRealtimeConnection | undefined;
    await until(() => {
      found = fake.connections.find((c) => String(c.session.instructions ?? '').includes(from));
      return found !== undefined;
    }, 'the call’s Realtime session');
    return found!;
  }

  async function until(test: () => boolean, what: string): Promise<void> {
    const end = Date.now() + 10_000;
    while (!test()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
});
