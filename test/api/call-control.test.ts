// The Live page's buttons over HTTP, on real emulated calls: POST /calls/:callSid/hangup ends the
// call through Twilio's REST API (the emulator's fake), POST /calls/:callSid/transfer rings the
// directory's department and bridges the agent who accepts; both on the call's timeline. A call
// that is over, unknown, not the agent user's, or that nobody can take now is refused, saying why.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TwilioEmulator,
  startFakeTwilioRest,
  type AgentBehaviour,
  type AgentPhone,
  type EmulatedCall,
  type FakeTwilioRest,
} from '../../src/emulator/index.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/server.js';
import { api, as, startCrmTestServer, type CrmTestServer } from './crm-app.js';

const DANA = '+972501110001';
const DIRECTORY = `
departments:
  sales: { ringSeconds: 5, hours: { always: true } }
  night: { hours: { sun-sat: closed } }
agents:
  - { id: dana, name: Dana, phone: "${DANA}", departments: [sales, night] }
`;
/** A menu nobody answers for a while: the call stays live until the dashboard acts. */
const FLOW = {
  start: 'menu',
  silenceSec: 60,
  goodbyeNoInput: 'להתראות',
  steps: { menu: { type: 'menu', prompt: 'למכירות הקישו 1.', options: { '1': 'menu' } } },
};

type Answer = {
  error?: string;
  message?: string;
  action?: string;
  department?: string;
  ringing?: string[][];
};

describe('hang up and transfer from the dashboard', { timeout: 60_000 }, () => {
  let s: CrmTestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'call-control-'));
    writeFileSync(path.join(dir, 'agents.yaml'), DIRECTORY);
    writeFileSync(path.join(dir, 'flow.json'), JSON.stringify(FLOW));
    emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: 4 });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    s = await startCrmTestServer({
      AGENTS_FILE: path.join(dir, 'agents.yaml'),
      FLOW_FILE: path.join(dir, 'flow.json'),
      TWILIO_API_BASE_URL: rest.url,
    });
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await s.stop();
  });

  const place = async (agents: Record<string, AgentBehaviour | AgentPhone> = {}): Promise<EmulatedCall> => {
    const call = emulator.placeCall({
      webhookUrl: `${s.origin}/webhook/incoming_call`,
      statusCallbackUrl: `${s.origin}/webhook/call_status`,
      from: '+972541234567',
      caller: { dial: { agents }, record: { durationSec: 1, end: 'hangup' } },
    });
    await call.waitFor('first-media-received');
    return call;
  };
  const post = (call: EmulatedCall, action: string, body?: unknown, headers: Record<string, string> = {}) =>
    api<Answer>(s, `/calls/${call.callSid}/${action}`, {
      method: 'POST',
      ...(body === undefined ? {} : { body }),
      headers,
    });

  it('hangs up a live call through Twilio, and refuses once it is over', async () => {
    const call = await place();
    const res = await post(call, 'hangup');
    expect(res).toMatchObject({ status: 202, body: { action: 'hangup' } });
    const result = await call.done;
    expect(result.status).toBe('completed');
    expect(rest.requests.some((r) => r.path.includes(call.callSid) && r.params.Status === 'completed')).toBe(
      true,
    );
    expect((await s.store.getCall(call.callSid))?.outcome).toBe('hangup: dashboard');
    const steps = (await s.store.listCallEvents(call.callSid)).filter((e) => e.kind === 'dashboard');
    expect(steps.map((e) => [e.name, e.detail?.by])).toEqual([['hangup', 'user:admin']]);

    const after = await post(call, 'hangup');
    expect(after.status).toBe(409);
    expect(after.body.message).toContain('over');
  });

  it('transfers to a department: the agent who accepts is bridged', async () => {
    const call = await place({ [DANA]: { behaviour: 'accept', durationSec: 1 } });
    const res = await post(call, 'transfer', { department: 'sales' });
    expect(res).toMatchObject({ status: 202, body: { department: 'sales', ringing: [['dana']] } });
    const result = await call.done;
    expect(result.streams[0]!.endedBy).toBe('api-update');
    expect(result.dials.map((d) => [d.legs.map((l) => l.number), d.bridged])).toEqual([[[DANA], true]]);
    const names = (await s.store.listCallEvents(call.callSid)).map((e) => `${e.kind}:${e.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'transfer:transfer-requested',
        'dashboard:transfer',
        'transfer:agent-answered',
      ]),
    );
  });

  it('says why nobody can take it, and what is not the asker’s to touch', async () => {
    const call = await place();
    const closed = await post(call, 'transfer', { department: 'night' });
    expect(closed.status).toBe(409);
    expect(closed.body.message).toMatch(/after-hours/);
    expect((await post(call, 'transfer', { department: 'sales', agentId: 'dana' })).body).toMatchObject({
      error: 'BAD_REQUEST',
    });
    // An agent user sees only the calls their agent took: this one is not theirs.
    expect((await post(call, 'hangup', undefined, as('agent:dana'))).status).toBe(404);
    const unknown = await api<Answer>(s, `/calls/CA${'0'.repeat(32)}/hangup`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect((await post(call, 'hangup')).status).toBe(202);
    await call.done;
  });
});
