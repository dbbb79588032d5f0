// Function calling end to end: the fake server makes the calls the model would, the tools run
// against a real store and a router, outputs go back as function_call_output items, and the
// next model turn is requested once the calling response is done.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRealtimeConnection } from '../../fakes/fake-realtime-server.js';
import type { CallInfo } from '../../../src/agents/agent.js';
import { nobody, ringOne } from '../../support/routes.js';
import { audio, CALL_SID, CALLER, harness, settle, tick, type Harness } from './harness.js';
import { until } from '../../support/until.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

async function live(
  opts: Parameters<typeof harness>[0] = {},
  call: Partial<CallInfo> = {},
): Promise<{ h: Harness; conn: FakeRealtimeConnection }> {
  h = await harness({ ...opts, factory: { speakFirst: false, ...opts.factory } });
  Object.assign(h.call, call);
  await h.startAgent();
  const conn = await h.server.connection();
  await conn.waitFor('session.update');
  return { h, conn };
}

/** A function_call_output as the model reads it. */
interface ToolOutput {
  ok: boolean;
  error?: string;
  crm_data?: {
    past_calls: { summary: string | null }[];
    open_requests: { fields: Record<string, unknown> }[];
  };
  [key: string]: unknown;
}

/** The model calls one function in its own response, which then ends. */
async function callTool(conn: FakeRealtimeConnection, name: string, args: unknown): Promise<ToolOutput> {
  const response = conn.startResponse();
  const callId = conn.functionCall(response, name, args);
  conn.finishResponse(response);
  const item = await conn.waitFor(
    'conversation.item.create',
    (e) => (e.item as { call_id?: string }).call_id === callId,
  );
  const output = (item.item as { output: string }).output;
  return JSON.parse(output) as ToolOutput;
}

describe('OpenAI Realtime agent: tools', () => {
  it('lookup_caller tells a verified caller their name, past calls and open requests', async () => {
    const { h, conn } = await live({}, { customParameters: { caller_verified: 'stir-a' } });
    const contact = await h.store.upsertContact(CALLER, new Date());
    await h.store.startCall({
      callSid: 'CA' + '1'.repeat(32),
      fromNumber: CALLER,
      at: new Date(Date.now() - 86_400_000),
    });
    await h.store.setCallSummary('CA' + '1'.repeat(32), 'Asked about a flat in Haifa');
    await h.store.saveLead({
      callSid: 'CA' + '1'.repeat(32),
      contactId: contact.id,
      fields: { name: 'Yossi', need: 'flat' },
      at: new Date(),
    });

    const output = await callTool(conn, 'lookup_caller', {});
    expect(output).toMatchObject({ ok: true, known: true, verified: true, crm_data: { name: 'Yossi' } });
    expect(output.crm_data?.past_calls).toHaveLength(1);
    expect(output.crm_data?.past_calls[0]?.summary).toBe('Asked about a flat in Haifa');
    expect(output.crm_data?.open_requests[0]?.fields).toMatchObject({ name: 'Yossi', need: 'flat' });
    // The output does not answer the caller by itself: the agent asks for the next turn.
    await conn.waitFor('response.create');
  });

  it('lookup_caller says so when the number is unknown', async () => {
    const { conn } = await live();
    expect(await callTool(conn, 'lookup_caller', {})).toMatchObject({
      ok: true,
      known: false,
      first_name: null,
    });
  });

  it('save_lead stores the collected fields on the call’s lead, for the caller’s contact', async () => {
    const { h, conn } = await live();
    const output = await callTool(conn, 'save_lead', {
      name: 'דנה',
      need: 'דירת 4 חדרים',
      area: 'חיפה',
      budget: '2.5M',
      callback_time: 'מחר בבוקר',
      extra: { parking: 'yes' },
    });
    expect(output).toMatchObject({ ok: true });
    const lead = await h.store.getLeadForCall(CALL_SID);
    expect(lead?.fields).toEqual({
      name: 'דנה',
      need: 'דירת 4 חדרים',
      area: 'חיפה',
      budget: '2.5M',
      callback_time: 'מחר בבוקר',
      parking: 'yes',
    });
    const contact = await h.store.getContactByPhone(CALLER);
    expect(lead?.contactId).toBe(contact?.id);
  });

  it('answers bad arguments, bad JSON and unknown functions with an error output, never a throw', async () => {
    const { conn } = await live();
    expect(await callTool(conn, 'save_lead', {})).toMatchObject({ ok: false, error: /invalid arguments/ });
    expect(await callTool(conn, 'save_lead', { budget: 12 })).toMatchObject({ ok: false });
    expect(await callTool(conn, 'save_lead', '{"name": "unterminated')).toMatchObject({
      ok: false,
      error: 'arguments are not valid JSON',
    });
    expect(await callTool(conn, 'launch_rocket', {})).toMatchObject({ ok: false, error: /unknown function/ });
    // Each error still gets a model turn so the model can recover.
    await conn.waitForCount('response.create', 1);
    expect(conn.errors).toEqual([]);
  });

  it('transfer_to_human routes, lets the model announce it, then transfers once that is heard', async () => {
    const { h, conn } = await live({
      route: ringOne('Dana', '+97235550000'),
    });
    h.server.behaviour.onResponseCreate = (c) => {
      c.speak([audio(100, 7)], 'מעביר אותך לדנה');
    };
    const output = await callTool(conn, 'transfer_to_human', { department: 'sales' });
    expect(output).toMatchObject({ ok: true, transferring_to: 'Dana (sales)' });
    expect(h.routed).toEqual([{ department: 'sales' }]);
    await h.control.until(() => h.control.pendingMs() === 100, 'the announcement to play');
    await h.control.until(() => h.control.playedWaits > 0, 'the agent to wait for it to be heard');
    expect(h.control.transfers).toEqual([]); // not before the caller heard it
    h.control.hearAll();
    await h.control.until(() => h.control.transfers.length === 1, 'the transfer');
    expect(h.control.transfers[0]).toEqual({
      kind: 'ring',
      route: ringOne('Dana', '+97235550000'),
      topic: 'sales',
    });
  });

  it('transfer_to_human passes the caller’s need on as the whisper’s topic', async () => {
    const { h, conn } = await live();
    h.server.behaviour.onResponseCreate = (c) => void c.speak([audio(50, 7)], 'רגע');
    await callTool(conn, 'transfer_to_human', { person: 'Dana', reason: 'משכנתא' });
    expect(h.routed).toEqual([{ person: 'Dana' }]);
    await h.control.until(() => h.control.pendingMs() > 0, 'the announcement');
    h.control.hearAll();
    await h.control.until(() => h.control.transfers.length === 1, 'the transfer');
    expect(h.control.transfers[0]).toMatchObject({ kind: 'ring', topic: 'משכנתא' });
  });

  it('transfer_to_human refuses a person the directory does not know, and the call goes on', async () => {
    const { h, conn } = await live({ route: nobody('unknown-person', 'nobody called "Moshe"') });
    const output = await callTool(conn, 'transfer_to_human', { person: 'Moshe' });
    expect(output).toMatchObject({
      ok: false,
      error: expect.stringContaining('"Moshe" is in the directory'),
    });
    // The model gets its turn to answer the caller; nothing moves the call.
    await conn.waitFor('response.create');
    await tick(30);
    expect(h.control.transfers).toEqual([]);
  });

  it('transfer_to_human with nobody available tells the model and sends the caller to voicemail', async () => {
    const { h, conn } = await live({ route: nobody('after-hours', 'sales is closed now') });
    h.server.behaviour.onResponseCreate = (c) => void c.speak([audio(50, 7)], 'השאירו הודעה');
    const output = await callTool(conn, 'transfer_to_human', {});
    expect(output).toMatchObject({
      ok: false,
      reason: 'after-hours',
      the_caller_will_hear: 'leave a message',
    });
    await h.control.until(() => h.control.pendingMs() > 0, 'the announcement');
    h.control.hearAll();
    await h.control.until(() => h.control.transfers.length === 1, 'the transfer to voicemail');
    // Twilio says the department's prompt before the beep: exactly what was configured.
    expect(h.control.transfers[0]).toEqual({
      kind: 'voicemail',
      reason: 'after-hours',
      prompt: 'leave a message',
    });
  });

  it('end_call after a spoken goodbye hangs up once the goodbye was heard, without another turn', async () => {
    const { h, conn } = await live();
    const response = conn.startResponse();
    const itemId = conn.addAudioItem(response);
    conn.audioDelta(response, itemId, audio(150, 3));
    conn.transcriptDone(response, itemId, 'להתראות!');
    conn.functionCall(response, 'end_call', { reason: 'caller done' });
    conn.finishResponse(response);
    await conn.waitFor('conversation.item.create');
    await h.control.until(() => h.control.playedWaits > 0, 'the agent to wait for the goodbye to be heard');
    expect(h.control.hangUps).toEqual([]);
    h.control.hear(100);
    await settle(); // what hearing 100 of the 150 ms would set off has run
    expect(h.control.hangUps).toEqual([]);
    h.control.hearAll();
    await h.control.until(() => h.control.hangUps.length === 1, 'the hang-up');
    expect(h.control.hangUps).toEqual(['caller done']);
    expect(conn.of('response.create')).toEqual([]);
  });

  it('end_call without a goodbye asks the model for one, then hangs up after it played', async () => {
    const { h, conn } = await live();
    h.server.behaviour.onResponseCreate = (c) => void c.speak([audio(100, 4)], 'תודה ולהתראות');
    await callTool(conn, 'end_call', {});
    await conn.waitFor('response.create');
    await h.control.until(() => h.control.pendingMs() === 100, 'the goodbye');
    h.control.hearAll();
    await h.control.until(() => h.control.hangUps.length === 1, 'the hang-up');
  });

  it('confirm_number_by_keypad returns the digits typed up to # and whether they are the caller id', async () => {
    const { h, conn } = await live();
    const response = conn.startResponse();
    const callId = conn.functionCall(response, 'confirm_number_by_keypad', { purpose: 'callback number' });
    conn.finishResponse(response);
    await tick(30);
    expect(conn.of('conversation.item.create')).toEqual([]); // waiting for keys
    for (const d of '0501234567#') h.agent().onDtmf(d);
    const item = await conn.waitFor('conversation.item.create');
    expect((item.item as { call_id: string }).call_id).toBe(callId);
    expect(JSON.parse((item.item as { output: string }).output)).toEqual({
      ok: true,
      digits: '0501234567',
      ended_by: 'hash',
      matches_caller_id: true,
    });
    await conn.waitFor('response.create');
  });

  it('confirm_number_by_keypad gives up after silence on the keypad, with what was typed', async () => {
    const { h, conn } = await live({ factory: { timings: { keypadTimeoutMs: 80 } } });
    const response = conn.startResponse();
    conn.functionCall(response, 'confirm_number_by_keypad', {});
    conn.finishResponse(response);
    await tick(20);
    h.agent().onDtmf('0');
    h.agent().onDtmf('3');
    const item = await conn.waitFor('conversation.item.create');
    expect(JSON.parse((item.item as { output: string }).output)).toEqual({
      ok: false,
      digits: '03',
      ended_by: 'timeout',
    });
  });

  it('does not run a function call of a response the caller interrupted', async () => {
    const { h, conn } = await live();
    const { response } = conn.speak([audio(200, 1)], '', { finish: false });
    await h.control.until(() => h.control.pendingMs() === 200, 'audio queued');
    conn.speechStarted(100);
    await conn.waitFor('response.cancel');
    conn.functionCall(response, 'end_call', {}); // emitted by the server as the response ends
    await tick(50);
    await until(() => conn.of('response.cancel').length === 1, 'cancel');
    expect(conn.of('conversation.item.create')).toEqual([]);
    expect(h.control.hangUps).toEqual([]);
  });
});
