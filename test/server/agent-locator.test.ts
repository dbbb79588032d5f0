// The agent locator in the composition root: with AGENTS_FILE the server syncs it and the flow's
// "press 2" reaches the directory's agent; a mistake in the file stops start-up naming the field;
// without it (nothing configured) the router answers nobody and the flow falls back.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  startTestServer,
  type LogLine,
  type TestServer,
} from '../support/server.js';

const AGENT_NUMBER = '+972501112233';
const DIRECTORY = `
departments:
  support: { strategy: sequential, hours: { always: true } }
agents:
  - { id: ben, name: Ben, phone: "${AGENT_NUMBER}", departments: [support] }
`;

const dir = mkdtempSync(path.join(tmpdir(), 'agent-locator-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

let emulator: TwilioEmulator;
let rest: FakeTwilioRest;
let s: TestServer | undefined;
beforeAll(async () => {
  emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: 5 });
  rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
});
afterEach(async () => {
  await s?.stop();
  s = undefined;
});
afterAll(async () => {
  await emulator.close();
  await rest.close();
});

async function logged(server: TestServer, pred: (l: LogLine) => boolean): Promise<LogLine> {
  const end = Date.now() + 15_000;
  for (;;) {
    const hit = server.logs.lines.find(pred);
    if (hit) return hit;
    if (Date.now() > end) throw new Error('expected log line did not appear');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Calls, presses 2 (support) once the menu plays, and returns the call. */
async function pressTwo(server: TestServer) {
  const call = emulator.placeCall({
    webhookUrl: `${server.origin}/webhook/incoming_call`,
    statusCallbackUrl: `${server.origin}/webhook/call_status`,
  });
  await call.waitFor('first-media-received');
  call.sendDtmf('2');
  return call;
}

describe('the agent locator in the server', { timeout: 60_000 }, () => {
  it('routes the flow’s transfer to the AGENTS_FILE agent', async () => {
    s = await startTestServer({ AGENTS_FILE: file('agents.yaml', DIRECTORY), TWILIO_API_BASE_URL: rest.url });
    expect(await s.store.getDirectory()).toMatchObject({ source: 'file', agents: [{ id: 'ben' }] });
    const call = await pressTwo(s);
    const server = s;
    const route = await logged(server, (l) => l.callSid === call.callSid && l.msg === 'ROUTE');
    expect(route).toMatchObject({ department: 'support', strategy: 'sequential', groups: [['ben']] });
    const dial = await call.waitFor('dial');
    expect(dial.detail.targets).toEqual([{ kind: 'Number', value: AGENT_NUMBER }]);
    // Ben's phone picks up, hears the whisper, presses 1: the call is his.
    await call.waitFor('agent-bridged');
    await call.hangUp();
    expect(await server.store.getCall(call.callSid)).toMatchObject({ outcome: 'transferred' });
    expect(await server.store.getCallAgent(call.callSid)).toBe('ben');
    // Routing logs no phone numbers.
    expect(JSON.stringify(route)).not.toContain(AGENT_NUMBER);
  });

  it('refuses to start on a bad AGENTS_FILE, naming the entry and the field', async () => {
    const bad = file('bad.yaml', DIRECTORY.replace(AGENT_NUMBER, '0501112233'));
    const err = await startTestServer({ AGENTS_FILE: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(
      `AGENTS_FILE ${bad}: agents[0] (id "ben").phone: must be E.164, sip:… or client:…`,
    );
  });

  it('without a directory answers nobody, and the flow takes a message instead', async () => {
    s = await startTestServer({ TWILIO_API_BASE_URL: rest.url });
    const server = s;
    const call = await pressTwo(server);
    const none = await logged(server, (l) => l.callSid === call.callSid && l.msg === 'ROUTE_NONE');
    expect(none).toMatchObject({ reason: 'nobody-available', detail: 'the directory has no agents' });
    await logged(server, (l) => l.callSid === call.callSid && l.msg === 'FLOW_TRANSFER_FALLBACK');
    await logged(server, (l) => l.callSid === call.callSid && l.msg === 'FLOW_STEP' && l.step === 'ask_name');
    await call.hangUp();
  });
});
