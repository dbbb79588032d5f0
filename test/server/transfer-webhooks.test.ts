// The transfer's webhooks under the races a real Twilio can produce, posted signed against the
// real server: two agents pressing 1 at once, a dial_status delivered twice at the same moment, a
// whisper for an attempt that no longer rings, bad input, and the lines freed when the call ends.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryRouter } from '../../src/routing/directory-router.js';
import type { RingRoute } from '../../src/routing/router.js';
import {
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const DIRECTORY = `
departments:
  team: { strategy: simultaneous, ringSeconds: 10, hours: { always: true } }
  line: { strategy: sequential, ringSeconds: 10, hours: { always: true } }
agents:
  - { id: amir, name: Amir, phone: "+972503330001", departments: [team, line], priority: 1, maxCalls: 5 }
  - { id: bela, name: Bela, phone: "+972503330002", departments: [team, line], priority: 2, maxCalls: 5 }
`;

let s: TestServer;
beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'transfer-webhooks-'));
  writeFileSync(path.join(dir, 'agents.yaml'), DIRECTORY);
  s = await startTestServer({ AGENTS_FILE: path.join(dir, 'agents.yaml') });
});
afterAll(async () => {
  await s.stop();
});

/** A live call whose transfer to `department` has started (its first group rings). */
async function transferring(
  department: string,
): Promise<{ callSid: string; route: RingRoute; twiml: string }> {
  const callSid = newCallSid();
  await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid));
  const route = await new DirectoryRouter({ store: s.store }).route({ callSid, from: null, department });
  if (route.kind !== 'ring') throw new Error(`no route to ${department}`);
  const twiml = await s.built.deps.transfers.start({ callSid, origin: s.origin, route });
  return { callSid, route, twiml };
}

const whisper = (callSid: string, attempt: number, agent: string, digits?: string) =>
  postSigned(
    `${s.origin}/webhook/agent_whisper?attempt=${attempt}&agent=${agent}${digits === undefined ? '' : '&step=key'}`,
    { CallSid: newCallSid(), ParentCallSid: callSid, ...(digits === undefined ? {} : { Digits: digits }) },
  );

const dialStatus = (callSid: string, attempt: number, dialCallStatus: string, bridged = 'false') =>
  postSigned(`${s.origin}/webhook/dial_status?attempt=${attempt}`, {
    CallSid: callSid,
    CallStatus: 'in-progress',
    DialCallStatus: dialCallStatus,
    DialBridged: bridged,
  });

const events = async (callSid: string, name: string) =>
  (await s.store.listCallEvents(callSid)).filter((e) => e.name === name);

describe('transfer webhooks', () => {
  it('gives the call to the first of two agents pressing 1 at once; the other is told and freed', async () => {
    const { callSid, twiml } = await transferring('team');
    expect(twiml.match(/<Number /g)).toHaveLength(2); // simultaneous: both ring
    for (const agent of ['amir', 'bela']) {
      const prompt = await (await whisper(callSid, 0, agent)).text();
      expect(prompt).toContain('שיחה מ-0 5 0, 1 2 3, 4 5 6 7, בנושא team. הקישו 1 לקבלת השיחה.');
    }
    const [a, b] = await Promise.all([whisper(callSid, 0, 'amir', '1'), whisper(callSid, 0, 'bela', '1')]);
    const answers = [await a.text(), await b.text()];
    const won = answers.filter((x) => !x.includes('<Hangup/>'));
    expect(won).toHaveLength(1);
    expect(answers.filter((x) => x.includes('השיחה כבר נענתה'))).toHaveLength(1);
    const winner = answers[0] === won[0] ? 'amir' : 'bela';
    const loser = winner === 'amir' ? 'bela' : 'amir';
    expect(await s.store.getCallAgent(callSid)).toBe(winner);
    const legs = await s.store.listAgentLegs(callSid);
    expect(legs.find((l) => l.agentId === winner)).toMatchObject({ outcome: 'answered', endedAt: null });
    expect(legs.find((l) => l.agentId === loser)).toMatchObject({ outcome: 'declined' });
    expect((await events(callSid, 'agent-declined'))[0]!.detail).toMatchObject({
      agentId: loser,
      why: 'taken by another agent',
    });
    // The winner's retried key is answered the same way, and nothing changes.
    expect(await (await whisper(callSid, 0, winner, '1')).text()).toBe(won[0]);
    expect(await events(callSid, 'agent-answered')).toHaveLength(1);
  });

  it('rings the next group once when the same dial_status arrives twice at once', async () => {
    const { callSid, twiml } = await transferring('line');
    expect(twiml).toContain('agent=amir');
    const replies = await Promise.all([
      dialStatus(callSid, 0, 'no-answer'),
      dialStatus(callSid, 0, 'no-answer'),
    ]);
    const [one, two] = await Promise.all(replies.map((r) => r.text()));
    expect(one).toBe(two);
    expect(one).toContain(`<Number url="${s.origin}/webhook/agent_whisper?attempt=1&amp;agent=bela"`);
    expect((await events(callSid, 'agent-ringing')).map((e) => e.detail?.agentId)).toEqual(['amir', 'bela']);
    expect((await events(callSid, 'agent-no-answer')).map((e) => e.detail?.agentId)).toEqual(['amir']);
    expect((await s.store.listAgentLegs(callSid)).map((l) => [l.agentId, l.outcome])).toEqual([
      ['amir', 'no-answer'],
      ['bela', null],
    ]);

    // Amir's phone, late, picks up a leg of the attempt that no longer rings: a polite hang-up.
    const stale = await (await whisper(callSid, 0, 'amir')).text();
    expect(stale).toContain('<Hangup/>');
    expect(stale).not.toContain('<Gather');
    // Bela does not answer either: the no-answer prompt (the built-in one) and voicemail.
    const last = await (await dialStatus(callSid, 1, 'no-answer')).text();
    expect(last).toContain('כל הנציגים עסוקים');
    expect(last).toContain(`<Record action="${s.origin}/webhook/handle_recording"`);
    expect((await events(callSid, 'voicemail'))[0]!.detail).toMatchObject({ reason: 'no-answer' });
  });

  it('rings on when an agent accepted but Twilio never bridged them', async () => {
    const { callSid } = await transferring('line');
    expect(await (await whisper(callSid, 0, 'amir', '1')).text()).not.toContain('<Hangup/>');
    // Amir hung up at once: the Dial reports an answered leg, not bridged.
    const next = await (await dialStatus(callSid, 0, 'completed', 'false')).text();
    expect(next).toContain('agent=bela');
    const prompt = await (await whisper(callSid, 1, 'bela')).text();
    expect(prompt).toContain('<Gather');
    expect(await (await whisper(callSid, 1, 'bela', '1')).text()).not.toContain('<Hangup/>');
    expect(await s.store.getCallAgent(callSid)).toBe('bela');
  });

  it('frees the lines a call still holds when its terminal status arrives', async () => {
    const { callSid } = await transferring('team');
    expect((await s.store.listAgentLegs(callSid)).every((l) => l.endedAt === null)).toBe(true);
    const status = await postSigned(`${s.origin}/webhook/call_status`, {
      CallSid: callSid,
      CallStatus: 'completed',
      SequenceNumber: '5',
    });
    expect(status.status).toBe(204);
    const end = Date.now() + 5000;
    while ((await s.store.listAgentLegs(callSid)).some((l) => l.endedAt === null) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    expect((await s.store.listAgentLegs(callSid)).map((l) => l.outcome)).toEqual([
      'call-ended',
      'call-ended',
    ]);
  });

  it('refuses a whisper with a bad query or without its parent call, with a reason', async () => {
    const { callSid } = await transferring('team');
    const badAgent = await postSigned(`${s.origin}/webhook/agent_whisper?attempt=0&agent=Not%20An%20Id`, {
      CallSid: newCallSid(),
      ParentCallSid: callSid,
    });
    expect(badAgent.status).toBe(400);
    expect(await badAgent.json()).toMatchObject({ error: 'WEBHOOK_BAD_BODY', message: /agent/ });
    const orphan = await postSigned(`${s.origin}/webhook/agent_whisper?attempt=0&agent=amir`, {
      CallSid: newCallSid(),
    });
    expect(orphan.status).toBe(400);
    expect(await orphan.json()).toMatchObject({ message: /ParentCallSid/ });
    // Unsigned, like any webhook: refused before anything runs.
    const unsigned = await postSigned(
      `${s.origin}/webhook/agent_whisper?attempt=0&agent=amir`,
      { CallSid: newCallSid(), ParentCallSid: callSid },
      { signature: null },
    );
    expect(unsigned.status).toBe(400);
  });
});
