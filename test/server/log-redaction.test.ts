// Personal data stays out of the logs: keypad digits (a typed ID or card number) and phone numbers
// are redacted by the real logger (src/log.ts) on the real server's lines, unless debug is asked for.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { TwilioEmulator } from '../../src/emulator/index.js';
import type { AgentFactory } from '../../src/agents/agent.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  newCallSid,
  postSigned,
  startTestServer,
  type LogLine,
  type TestServer,
} from '../support/server.js';

/** An agent that only listens: the server's own lines are what is under test. */
const silentAgents: AgentFactory = {
  name: 'silent-test',
  health: () => 'ok',
  create: () => ({
    start: async () => undefined,
    onAudio: () => undefined,
    onDtmf: () => undefined,
    close: async () => undefined,
  }),
};

/** Every value under a key named like `keys`, anywhere in the line. */
function valuesUnder(value: unknown, keys: ReadonlySet<string>): unknown[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(keys.has(k) ? [v] : []), ...valuesUnder(v, keys)]);
}

describe('log redaction on the running server', () => {
  let s: TestServer;
  let emulator: TwilioEmulator;
  beforeAll(async () => {
    s = await startTestServer({}, { agents: silentAgents });
    emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: 5 });
  });
  afterAll(async () => {
    await emulator.close();
    await s.stop();
  });

  const until = async (cond: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const raw = () => JSON.stringify(s.logs.lines);

  it('logs each key the caller presses as WS_DTMF without the digit', async () => {
    const call = emulator.placeCall({
      webhookUrl: `${s.origin}/webhook/incoming_call`,
      from: '+972521112233',
      to: '+97235556677',
    });
    await call.waitFor('start-sent');
    await until(() => s.logs.find('WS_START').some((l) => l.callSid === call.callSid));
    expect(call.sendDtmf('4815162342')).toBe(10);
    const dtmf = () => s.logs.find('WS_DTMF').filter((l: LogLine) => l.callSid === call.callSid);
    await until(() => dtmf().length === 10);
    await call.hangUp();
    await until(() => s.logs.find('WS_STOP').some((l) => l.callSid === call.callSid));

    expect(dtmf().map((l) => l.digit)).toEqual(Array(10).fill('[redacted]'));
    const keyed = valuesUnder(s.logs.lines, new Set(['digit', 'digits', 'Digits']));
    expect(keyed.filter((v) => v !== '[redacted]')).toEqual([]);
    // Nor do the numbers of the call, in any line.
    expect(raw()).not.toContain('972521112233');
    expect(raw()).not.toContain('97235556677');
  });

  it('logs a recording callback with Digits but without them', async () => {
    const callSid = newCallSid();
    const res = await postSigned(`${s.origin}/webhook/handle_recording`, {
      CallSid: callSid,
      Digits: '3141592653#',
      RecordingStatus: 'completed',
    });
    expect(res.status).toBe(204);
    const line = s.logs.find(/^RECORDING_CALLBACK/).find((l) => l.callSid === callSid);
    expect(line).toMatchObject({ digits: '[redacted]' });
    expect(raw()).not.toContain('3141592653');
  });
});

describe('the logger', () => {
  const capture = () => {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    return { stream, text: () => text };
  };
  const line = {
    from: '+972501234567',
    to: '+97231234567',
    call: { From: '+14155550100', digits: '90210#' },
  };

  it('redacts numbers and digits at the top level and one object down', () => {
    const out = capture();
    createLogger({ logLevel: 'info' }, out.stream).info(line, 'TEST_LINE');
    expect(JSON.parse(out.text())).toMatchObject({
      msg: 'TEST_LINE',
      from: '[redacted]',
      to: '[redacted]',
      call: { From: '[redacted]', digits: '[redacted]' },
    });
    for (const secret of ['972501234567', '97231234567', '14155550100', '90210#'])
      expect(out.text()).not.toContain(secret);
  });

  it('keeps them only when LOG_UNREDACTED is set', () => {
    const out = capture();
    createLogger({ logLevel: 'info', logUnredacted: true }, out.stream).info(line, 'TEST_LINE');
    expect(JSON.parse(out.text().trim().split('\n').at(-1)!)).toMatchObject(line);
  });
});
