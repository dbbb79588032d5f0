// Twilio's REST API failing on a hang-up (issue 15, part 2): 5xx, 429 and no answer at all, from
// the emulator's REST fake. The agent says goodbye and hangs up; when REST fails, the stream is
// closed instead and the caller reaches voicemail (never left on a silent line), the call ends
// completed in the store; a 429 that clears is retried and the hang-up goes through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TwilioEmulator,
  startFakeTwilioRest,
  type FakeTwilioRest,
  type RestFault,
} from '../../src/emulator/index.js';
import type { AgentFactory } from '../../src/agents/agent.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  freePort,
  startTestServer,
  type TestServer,
} from '../support/server.js';
import { until } from '../support/until.js';

const PUBLIC = 'agents.example.com';
const url = (p: string) => `https://${PUBLIC}${p}`;
/** The longest the caller may wait after the goodbye before the fallback: REST's budget and some. */
const MAX_QUIET_MS = 5000;
const GOODBYE = Buffer.alloc(8000 * 0.4, 0x55); // 0.4 s of a steady non-silent μ-law byte

/** Says goodbye, then hangs up through REST (as the flow and Realtime agents do). */
function goodbyeAgents(): AgentFactory {
  return {
    name: 'goodbye-test',
    health: () => 'ok',
    create: () => ({
      start: async (_call, control) => {
        control.play(GOODBYE);
        await control.whenPlayed();
        await control.hangUp('said goodbye');
      },
      onAudio: () => undefined,
      onDtmf: () => undefined,
      close: async () => undefined,
    }),
  };
}

describe('Twilio REST failing on hang-up', () => {
  let s: TestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;
  let fault: (n: number) => RestFault | undefined = () => undefined;
  let hangUps = 0;

  beforeAll(async () => {
    const port = await freePort();
    emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 10,
      networkMap: { [`https://${PUBLIC}`]: `http://127.0.0.1:${port}` },
    });
    rest = await startFakeTwilioRest({
      emulator,
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      fault: (r) => (r.method === 'POST' && r.params.Status === 'completed' ? fault(++hangUps) : undefined),
    });
    s = await startTestServer(
      { PORT: String(port), PUBLIC_HOST: PUBLIC, TWILIO_API_BASE_URL: rest.url },
      { agents: goodbyeAgents() },
    );
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await s.stop();
  });

  async function callWith(f: (n: number) => RestFault | undefined) {
    fault = f;
    hangUps = 0;
    const call = emulator.placeCall({
      webhookUrl: url('/webhook/incoming_call'),
      statusCallbackUrl: url('/webhook/call_status'),
      statusCallbackEvents: ['answered', 'completed'],
      caller: { record: { durationSec: 1, end: 'hangup' } },
    });
    const result = await call.done;
    const stored = await until(
      () => s.store.getCall(call.callSid).then((c) => (c?.status === 'completed' ? c : undefined)),
      'the call completed in the store',
    );
    return { result, stored };
  }

  for (const [name, f] of [
    ['500', () => ({ status: 500 })],
    ['503', () => ({ status: 503 })],
    ['429 every time', () => ({ status: 429, retryAfterSec: 0 })],
    ['no answer (timeout)', () => 'timeout'],
  ] as const) {
    it(`on ${name}: the stream is closed and the caller reaches voicemail`, async () => {
      const { result, stored } = await callWith(f as (n: number) => RestFault);
      expect(hangUps).toBeGreaterThanOrEqual(1);
      expect(result.violations.filter((v) => v.severity === 'error')).toEqual([]);
      expect(result.streams[0]).toMatchObject({ endedBy: 'server' });
      expect(result.streams[0]!.mediaReceived).toBeGreaterThan(0);
      // <Connect action> → <Record>: the caller is never left on an open, silent stream.
      expect(result.recordings).toHaveLength(1);
      expect(stored.outcome).toBe('voicemail');
      const mine = (msg: RegExp) => s.logs.find(msg).filter((l) => l.callSid === result.callSid);
      const asked = mine(/^HANGUP$/)[0]?.time as number;
      const failed = mine(/^HANGUP_FAILED/)[0]?.time as number;
      // The caller waits on a quiet line while REST is tried: seconds, not Twilio's 10–30 s.
      expect(failed - asked).toBeLessThan(MAX_QUIET_MS);
    }, 40_000);
  }

  it('on one 429 that clears: retried, and the hang-up goes through', async () => {
    const { result } = await callWith((n) => (n === 1 ? { status: 429, retryAfterSec: 0 } : undefined));
    expect(hangUps).toBe(2);
    expect(result.streams[0]).toMatchObject({ endedBy: 'api-hangup' });
    expect(result.recordings).toHaveLength(0);
  }, 20_000);
});
