// The dashboard's test call against the real server: an admin's WebSocket is the caller's phone
// on a call the server's own Twilio emulator places through the real webhook and media routes.
// Speech from the "microphone" reaches the flow agent, its prompt comes back as μ-law, a key
// moves the flow on, hanging up ends the call cleanly, and the call is stored as a test.
// Refused: no session, an agent user, another site's Origin, a second call, bad frames.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { mulawDecode } from '../../src/audio/mulaw.js';
import { synthesizeMulaw8k } from '../../src/audio/tts.js';
import { TEST_CALL_FROM, type TestCallServerMessage } from '../../src/test-call/protocol.js';
import { serverWithAdmin, signedInUser, type ApiClient } from '../api/support.js';
import { useCleanup } from '../support/cleanup.js';
import type { LogLine, TestServer } from '../support/server.js';
import { until } from '../support/until.js';

const defer = useCleanup();

interface Phone {
  ws: WebSocket;
  messages: TestCallServerMessage[];
  audio: Buffer[];
  closed: Promise<{ code: number; reason: string }>;
}

function cookieOf(client: ApiClient): string {
  return [...client.jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Opens the test-call socket as a browser page of `origin` would, with `client`'s cookie. */
function dial(
  server: TestServer,
  client: ApiClient | undefined,
  origin: string | null = server.origin,
  headers: Record<string, string> = {},
) {
  const url = `${server.origin.replace(/^http/, 'ws')}/api/v1/test-call`;
  return new WebSocket(url, {
    ...(origin !== null ? { origin } : {}),
    headers: { ...(client ? { cookie: cookieOf(client) } : {}), ...headers },
  });
}

async function openPhone(server: TestServer, client: ApiClient): Promise<Phone> {
  const ws = dial(server, client);
  defer(() => ws.terminate());
  const messages: TestCallServerMessage[] = [];
  const audio: Buffer[] = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) audio.push(data as Buffer);
    else messages.push(JSON.parse(String(data)) as TestCallServerMessage);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, messages, audio, closed };
}

/** The HTTP status an upgrade is refused with (the socket never opens). */
function refusedWith(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
  });
}

/** Sends μ-law at the line's pace, one 160-byte frame every 20 ms, as the browser does. */
async function speak(ws: WebSocket, mulaw: Uint8Array): Promise<void> {
  for (let i = 0; i + 160 <= mulaw.length; i += 160) {
    ws.send(mulaw.subarray(i, i + 160));
    await new Promise((r) => setTimeout(r, 20));
  }
}

const rms = (chunks: Buffer[]) => {
  const pcm = mulawDecode(Buffer.concat(chunks));
  return pcm.length ? Math.sqrt(pcm.reduce((sum, s) => sum + s * s, 0) / pcm.length) / 32768 : 0;
};

function logged(
  server: TestServer,
  callSid: string,
  msg: string,
  extra: (l: LogLine) => boolean = () => true,
) {
  return until(
    () => server.logs.lines.find((l) => l.callSid === callSid && l.msg.startsWith(msg) && extra(l)),
    `log ${msg} for ${callSid}`,
  );
}

const messageOf = <T extends TestCallServerMessage['type']>(phone: Phone, type: T) =>
  until(
    () => phone.messages.find((m): m is Extract<TestCallServerMessage, { type: T }> => m.type === type),
    `a "${type}" message (got ${phone.messages.map((m) => m.type).join(', ')})`,
  );

describe('a test call from the dashboard', () => {
  it('reaches the flow agent, plays its prompt back, takes a key, hangs up and is stored as a test', async () => {
    const { server, admin } = await serverWithAdmin({ TWILIO_ACCOUNT_SID: '' });
    defer(() => server.stop());
    const words = await synthesizeMulaw8k('שלום, אני רוצה להשאיר פרטים');
    const phone = await openPhone(server, admin);

    const ringing = await messageOf(phone, 'ringing');
    const callSid = ringing.callSid;
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);
    // The greeting Twilio plays is a file of this server, which the page may fetch and play too.
    expect((await messageOf(phone, 'greeting')).audio).toBe('/static/tts/greeting_he.mp3');
    expect((await messageOf(phone, 'connected')).callSid).toBe(callSid);

    // The welcome menu's prompt comes back as μ-law, as it plays: real speech, not silence.
    await until(() => Buffer.concat(phone.audio).length >= 8000, 'a second of the agent');
    expect(rms(phone.audio)).toBeGreaterThan(0.02);

    // Speech into the "microphone" reaches the agent: it stops its prompt (barge-in by speech)
    // and the browser is told to drop what it has buffered.
    await speak(phone.ws, words);
    expect((await logged(server, callSid, 'FLOW_BARGE_IN')).by).toBe('speech');
    await messageOf(phone, 'clear');

    // "3" leaves details: the flow moves on to the name question and its prompt plays.
    const heardBefore = Buffer.concat(phone.audio).length;
    phone.ws.send(JSON.stringify({ type: 'dtmf', digit: '3' }));
    await logged(server, callSid, 'FLOW_STEP', (l) => l.step === 'ask_name');
    await until(() => Buffer.concat(phone.audio).length > heardBefore + 4000, 'the ask_name prompt');

    phone.ws.send(JSON.stringify({ type: 'hangup' }));
    expect((await messageOf(phone, 'ended')).reason).toBe('caller');
    expect(await phone.closed).toEqual({ code: 1000, reason: 'call ended' });

    // Ended as Twilio ends a call: stop on the stream, the status callback applied.
    await logged(server, callSid, 'WS_STOP_RECEIVED');
    const stored = await until(async () => {
      const call = await server.store.getCall(callSid);
      return call?.status === 'completed' ? call : undefined;
    }, 'the call completed in the store');
    expect(stored.fromNumber).toBe(TEST_CALL_FROM);
    const listed = await until(async () => {
      const answer = await admin.get('/api/v1/calls?test=true');
      const items = (answer.body as { items: { callSid: string; test: boolean }[] }).items;
      return items.find((c) => c.callSid === callSid);
    }, 'the call in the calls list filtered to tests');
    expect(listed.test).toBe(true);
    const end = await logged(server, callSid, 'TEST_CALL_END');
    expect(end.framesIn).toBeGreaterThan(words.length / 160 - 5);
    expect(end.violations).toEqual([]);
  });

  it('lets the agent hang up through the emulator, with no Twilio account configured', async () => {
    const flowFile = path.join(tmpdir(), `flow-bye-${process.pid}.json`);
    writeFileSync(
      flowFile,
      JSON.stringify({
        start: 'bye',
        goodbyeNoInput: 'להתראות',
        steps: { bye: { type: 'end', prompt: 'להתראות.' } },
      }),
    );
    const { server, admin } = await serverWithAdmin({ TWILIO_ACCOUNT_SID: '', FLOW_FILE: flowFile });
    defer(() => server.stop());
    const phone = await openPhone(server, admin);
    // The goodbye plays to the end, then the agent's REST hang-up reaches the emulated call.
    expect((await messageOf(phone, 'ended')).reason).toBe('api');
    expect(rms(phone.audio)).toBeGreaterThan(0.02);
    const callSid = phone.messages.find((m) => m.type === 'ringing')!.callSid;
    expect(server.logs.find(/^TWILIO_REST_UNCONFIGURED/)).toHaveLength(1);
    expect((await logged(server, callSid, 'HANGUP')).reason).toBeDefined();
    expect(server.logs.find(/^HANGUP_FAILED/)).toEqual([]);
  });
});

describe('who may place a test call', () => {
  it('refuses no session, an agent, an API key, another site, a second call; a plain GET says why', async () => {
    const { server, admin } = await serverWithAdmin({ TWILIO_ACCOUNT_SID: '' });
    defer(() => server.stop());
    expect(await refusedWith(dial(server, undefined))).toBe(401);
    const agent = await signedInUser(admin, { username: 'agent1', role: 'agent' });
    expect(await refusedWith(dial(server, agent))).toBe(403);
    // An integration's API key acts as an admin elsewhere, but a test call needs a person.
    const created = await admin.post('/api/v1/api-keys', { name: 'zapier' });
    const { key } = created.body as { key: string };
    expect(
      await refusedWith(dial(server, undefined, server.origin, { authorization: `Bearer ${key}` })),
    ).toBe(403);
    expect(await refusedWith(dial(server, admin, 'https://evil.example'))).toBe(403);
    expect(await refusedWith(dial(server, admin, null))).toBe(403);
    // The two Origin refusals are the test call's own (the API's gate logs the rest).
    expect(server.logs.find(/^TEST_CALL_REFUSED/).map((l) => l.refused)).toEqual([
      'TEST_CALL_ORIGIN',
      'TEST_CALL_ORIGIN',
    ]);

    // One live test call per session; a plain GET answers what an upgrade would get.
    expect((await admin.get('/api/v1/test-call')).status).toBe(426);
    const phone = await openPhone(server, admin);
    await messageOf(phone, 'ringing');
    expect(await refusedWith(dial(server, admin))).toBe(409);
    const busy = await admin.get('/api/v1/test-call');
    expect(busy.status).toBe(409);
    expect((busy.body as { error: string }).error).toBe('TEST_CALL_BUSY');
    phone.ws.send(JSON.stringify({ type: 'hangup' }));
    await phone.closed;
    await until(async () => (await admin.get('/api/v1/test-call')).status === 426, 'the session free again');
  });

  it('closes the call on a wrong-size frame, bad JSON, an unknown message or a flood, and logs why', async () => {
    const { server, admin } = await serverWithAdmin({ TWILIO_ACCOUNT_SID: '' });
    defer(() => server.stop());
    const cases: [string | Buffer, number][] = [
      [Buffer.alloc(161, 0xff), 1007],
      ['{not json', 1007],
      [JSON.stringify({ type: 'dial', number: '+972501234567' }), 1003],
      [JSON.stringify({ type: 'dtmf', digit: 'x'.repeat(400) }), 1009],
    ];
    for (const [message, code] of cases) {
      const phone = await openPhone(server, admin);
      const { callSid } = await messageOf(phone, 'ringing');
      phone.ws.send(message, { binary: Buffer.isBuffer(message) });
      expect((await phone.closed).code).toBe(code);
      await logged(server, callSid, 'TEST_CALL_BAD_INPUT', (l) => l.close === code);
      // The emulated call is hung up too, and the session may call again.
      await logged(server, callSid, 'TEST_CALL_END');
    }
    // A second of audio sent at once, twice over: a sender gone wrong, not a microphone.
    const phone = await openPhone(server, admin);
    const { callSid } = await messageOf(phone, 'ringing');
    for (let i = 0; i < 120; i++) phone.ws.send(Buffer.alloc(160, 0xff));
    expect((await phone.closed).code).toBe(1008);
    expect((await logged(server, callSid, 'TEST_CALL_BAD_INPUT')).reason).toBe(
      'audio frames faster than real time',
    );
  });
});
