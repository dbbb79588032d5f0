// The media WebSocket spoken to directly with `ws` (frame by frame), for the edge cases the
// emulator is too well-behaved to produce: bad signatures, bad tokens, garbage and abuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import twilio from 'twilio';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  DIRECT_FRAMES,
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';
import { until } from '../support/until.js';
import {
  encodeConnected,
  encodeInboundMedia,
  encodeStart,
  encodeStop,
  parseOutbound,
} from '../../src/twilio/stream-messages.js';
import type { AgentFactory, CallControl, CallInfo } from '../../src/agents/agent.js';

interface Opened {
  ws: WebSocket;
  received: string[];
  closed: Promise<{ code: number; reason: string }>;
}

function signUpgrade(host: string, path = '/ws/twilio-media', token = TEST_AUTH_TOKEN) {
  return twilio.getExpectedTwilioSignature(token, `wss://${host}${path}`, {});
}

function connect(s: TestServer, opts: { path?: string; signature?: string | null } = {}): Promise<Opened> {
  const path = opts.path ?? '/ws/twilio-media';
  const signature = opts.signature === undefined ? signUpgrade(s.host, '/ws/twilio-media') : opts.signature;
  const ws = new WebSocket(`ws://${s.host}${path}`, {
    headers: signature ? { 'x-twilio-signature': signature } : {},
  });
  const received: string[] = [];
  ws.on('message', (d) => received.push(d.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, received, closed }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

async function newCall(s: TestServer): Promise<{ callSid: string; token: string }> {
  const callSid = newCallSid();
  const xml = await (
    await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid))
  ).text();
  const token = /name="token" value="([^"]+)"/.exec(xml)?.[1];
  if (!token) throw new Error(`no token in ${xml}`);
  return { callSid, token };
}

function start(o: Opened, callSid: string, token: string, streamSid = `MZ${callSid.slice(2)}`) {
  o.ws.send(encodeConnected());
  o.ws.send(
    encodeStart({
      sequenceNumber: 1,
      accountSid: TEST_ACCOUNT_SID,
      streamSid,
      callSid,
      customParameters: { call_sid: callSid, token },
    }),
  );
  return streamSid;
}

const silence = Buffer.alloc(160, 0xff).toString('base64');
/** An agent that answers each caller frame with the same bytes, so tests can see the outbound path. */
function echoAgents(): AgentFactory & { started: CallInfo[] } {
  const started: CallInfo[] = [];
  return {
    name: 'echo-test',
    started,
    health: () => 'ok',
    create: () => {
      let control: CallControl | undefined;
      return {
        start: async (call, c) => {
          started.push(call);
          control = c;
        },
        onAudio: (frame) => control?.play(frame.bytes()),
        onDtmf: () => undefined,
        close: async () => undefined,
      };
    },
  };
}

describe('the media WebSocket', () => {
  let s: TestServer;
  const agents = echoAgents();
  beforeAll(async () => {
    s = await startTestServer({ STREAM_START_TIMEOUT_MS: '300' }, { agents });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('accepts a signed upgrade on both paths and streams with the start streamSid only', async () => {
    for (const path of ['/ws/twilio-media', '/ws/twilio-media/']) {
      const { callSid, token } = await newCall(s);
      const o = await connect(s, { path });
      const streamSid = start(o, callSid, token);
      await until(() => agents.started.some((c) => c.callSid === callSid), 'the agent to start');
      const call = agents.started.find((c) => c.callSid === callSid);
      expect(call).toMatchObject({
        streamSid,
        from: '+972501234567',
        customParameters: { call_sid: callSid },
      });
      expect(call?.customParameters).not.toHaveProperty('token');
      o.ws.send(
        encodeInboundMedia({ sequenceNumber: 2, streamSid, chunk: 1, timestampMs: 0, payload: silence }),
      );
      await until(() => o.received, 'two messages back', { is: (r) => r.length >= 2 });
      for (const text of o.received) {
        const parsed = parseOutbound(text);
        expect(parsed.ok).toBe(true);
        expect(JSON.parse(text).streamSid).toBe(streamSid);
      }
      o.ws.send(encodeStop({ sequenceNumber: 3, streamSid, accountSid: TEST_ACCOUNT_SID, callSid }));
      expect((await o.closed).code).toBe(1000);
      await until(() => s.store.getStream(streamSid), 'the stream to end in the store', {
        is: (row) => row?.endedAt != null,
      });
      const stored = await s.store.getStream(streamSid);
      expect(stored).toMatchObject({
        callSid,
        framesIn: 1,
        bytesIn: 160,
        framesOut: 1,
        bytesOut: 160,
        closeCode: 1000,
      });
    }
    const startLine = s.logs.find('WS_START').at(-1);
    expect(startLine).toMatchObject({
      callSid: expect.stringMatching(/^CA/),
      streamSid: expect.stringMatching(/^MZ/),
    });
    expect(s.logs.find('WS_CONNECTED').length).toBeGreaterThanOrEqual(2);
    // Frames on ws's socket (src/ws/direct-frames.ts) unless this run set WS_DIRECT_FRAMES=false.
    expect(s.config.wsDirectFrames).toBe(DIRECT_FRAMES);
    expect(s.logs.find('WS_CONNECTED').map((l) => l.directFrames)).toEqual(
      s.logs.find('WS_CONNECTED').map(() => DIRECT_FRAMES),
    );
    expect(s.logs.find('WS_FRAME').at(-1)).toMatchObject({ len: silence.length });
  });

  it('refuses an upgrade without a valid signature with 403 before switching protocols', async () => {
    await expect(connect(s, { signature: null })).rejects.toThrow('HTTP 403');
    await expect(connect(s, { signature: 'AAAA' })).rejects.toThrow('HTTP 403');
    // Signed over the https URL (an HTTP-style check) is not what Twilio signs.
    const https = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, `https://${s.host}/ws/twilio-media`, {});
    await expect(connect(s, { signature: https })).rejects.toThrow('HTTP 403');
    const line = s.logs.find(/WS_UPGRADE_REJECTED/).at(-1);
    expect(line?.triedUrls).toContain(`wss://${s.host}/ws/twilio-media`);
  });

  it('refuses a query string on the stream URL', async () => {
    await expect(connect(s, { path: '/ws/twilio-media?token=abc' })).rejects.toThrow('HTTP 400');
  });

  it('closes 1008 when start carries no valid token, or a token already used, without an agent', async () => {
    const before = agents.started.length;
    const { callSid, token } = await newCall(s);
    const bad = await connect(s);
    start(bad, callSid, 'not-the-token');
    expect((await bad.closed).code).toBe(1008);

    const good = await connect(s);
    const sid = start(good, callSid, token);
    await until(() => agents.started.length, 'one more agent', { is: (n) => n === before + 1 });
    const replay = await connect(s);
    start(replay, callSid, token, 'MZ' + 'e'.repeat(32));
    expect((await replay.closed).code).toBe(1008);
    expect(agents.started.length).toBe(before + 1);
    good.ws.send(encodeStop({ sequenceNumber: 9, streamSid: sid, accountSid: TEST_ACCOUNT_SID, callSid }));
    await good.closed;
  });

  it('closes 1008 when no start arrives in time', async () => {
    const o = await connect(s);
    o.ws.send(encodeConnected());
    const { code } = await o.closed;
    expect(code).toBe(1008);
  });

  it('drops garbage frames with one warning each and keeps the call going', async () => {
    const { callSid, token } = await newCall(s);
    const o = await connect(s);
    const streamSid = start(o, callSid, token);
    await until(() => agents.started.some((c) => c.callSid === callSid), 'the agent to start');
    for (let i = 0; i < 5; i++) {
      o.ws.send('not json');
      o.ws.send('{"event":"bogus"}');
      o.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      o.ws.send(
        encodeInboundMedia({
          sequenceNumber: 5,
          streamSid: 'MZother',
          chunk: 1,
          timestampMs: 0,
          payload: silence,
        }),
      );
    }
    o.ws.send(
      encodeInboundMedia({ sequenceNumber: 6, streamSid, chunk: 2, timestampMs: 20, payload: silence }),
    );
    await until(() => o.received, 'two messages back', { is: (r) => r.length >= 2 });
    expect(o.ws.readyState).toBe(WebSocket.OPEN);
    const warnings = s.logs.find('WS_BAD_FRAME dropped').filter((l) => l.streamSid === streamSid);
    expect(warnings.length).toBe(4);
    o.ws.send(encodeStop({ sequenceNumber: 7, streamSid, accountSid: TEST_ACCOUNT_SID, callSid }));
    await o.closed;
    await until(() => s.store.getStream(streamSid), 'the stream to end in the store', {
      is: (row) => row?.endedAt != null,
    });
    expect((await s.store.getStream(streamSid))?.badFrames).toBe(20);
  });

  it('closes an oversize frame with 1009 and a flood of bad frames with 1008, without disturbing another call', async () => {
    const other = await newCall(s);
    const bystander = await connect(s);
    const bystanderSid = start(bystander, other.callSid, other.token);
    await until(() => agents.started.some((c) => c.callSid === other.callSid), 'the other agent to start');

    const a = await newCall(s);
    const big = await connect(s);
    start(big, a.callSid, a.token);
    big.ws.send('x'.repeat(100 * 1024));
    expect((await big.closed).code).toBe(1009);

    const b = await newCall(s);
    const flood = await connect(s);
    start(flood, b.callSid, b.token);
    for (let i = 0; i < 150; i++) flood.ws.send('{}');
    expect((await flood.closed).code).toBe(1008);

    bystander.ws.send(
      encodeInboundMedia({
        sequenceNumber: 2,
        streamSid: bystanderSid,
        chunk: 1,
        timestampMs: 0,
        payload: silence,
      }),
    );
    await until(() => bystander.received, 'two messages back', { is: (r) => r.length >= 2 });
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
    bystander.ws.close();
    await bystander.closed;
  });

  it('survives a peer that vanishes mid-stream', async () => {
    const { callSid, token } = await newCall(s);
    const o = await connect(s);
    const streamSid = start(o, callSid, token);
    await until(() => agents.started.some((c) => c.callSid === callSid), 'the agent to start');
    o.ws.terminate();
    await until(() => s.logs.find('WS_STOP').some((l) => l.streamSid === streamSid), 'WS_STOP');
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
  });
});

describe('an agent that throws', () => {
  let s: TestServer;
  beforeAll(async () => {
    const agents: AgentFactory = {
      name: 'broken',
      health: () => 'ok',
      create: () => ({
        start: async () => undefined,
        onAudio: () => {
          throw new Error('boom');
        },
        onDtmf: () => undefined,
        close: async () => {
          throw new Error('close boom');
        },
      }),
    };
    s = await startTestServer({}, { agents });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('ends only that call (to voicemail) and the process stays healthy', async () => {
    const { callSid, token } = await newCall(s);
    const o = await connect(s);
    const streamSid = start(o, callSid, token);
    await until(() => s.logs.find('WS_START').some((l) => l.streamSid === streamSid), 'WS_START');
    o.ws.send(
      encodeInboundMedia({ sequenceNumber: 2, streamSid, chunk: 1, timestampMs: 0, payload: silence }),
    );
    const { code } = await o.closed;
    expect(code).toBe(1000); // a normal close: Twilio runs <Connect action> → voicemail
    expect(s.logs.find(/AGENT_THREW/)).toHaveLength(1);
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
  });
});

describe('caller audio before the agent exists', () => {
  let s: TestServer;
  const heard: string[] = [];
  beforeAll(async () => {
    const agents: AgentFactory = {
      name: 'listener',
      health: () => 'ok',
      create: () => {
        let control: CallControl | undefined;
        return {
          start: async (_call, c) => {
            control = c;
          },
          // Frames may come before start(): the agent keeps them all and answers once it can.
          onAudio: (frame) => {
            heard.push(frame.payload);
            control?.play({ base64: frame.payload });
          },
          onDtmf: () => undefined,
          close: async () => undefined,
        };
      },
    };
    s = await startTestServer({}, { agents });
  });
  afterAll(async () => {
    await s.stop();
  });

  const counter = async (name: string) => {
    const text = await (await fetch(`${s.origin}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  it('reaches the agent in order, none lost, and every frame is counted in /metrics', async () => {
    const inBefore = await counter('agentlocator_stream_frames_in_total');
    const outBefore = await counter('agentlocator_stream_frames_out_total');
    const { callSid, token } = await newCall(s);
    const o = await connect(s);
    // start and the first frames in one burst: they arrive while the token is being checked.
    const streamSid = start(o, callSid, token);
    const payloads = Array.from({ length: 8 }, (_, i) => Buffer.alloc(160, i).toString('base64'));
    payloads.forEach((payload, i) =>
      o.ws.send(
        encodeInboundMedia({ sequenceNumber: i + 2, streamSid, chunk: i + 1, timestampMs: i * 20, payload }),
      ),
    );
    await until(() => heard.length, 'eight frames heard', { is: (n) => n >= 8 });
    expect(heard).toEqual(payloads);
    // Once started the agent plays each later frame back: its marks follow every 100 ms of audio.
    const late = Buffer.alloc(160, 0x42).toString('base64');
    for (let i = 0; i < 5; i++)
      o.ws.send(
        encodeInboundMedia({
          sequenceNumber: 20 + i,
          streamSid,
          chunk: 20 + i,
          timestampMs: 400 + i * 20,
          payload: late,
        }),
      );
    await until(() => o.received, 'a mark', { is: (r) => r.some((t) => JSON.parse(t).event === 'mark') });
    const out = o.received.map((t) => JSON.parse(t) as { event: string; streamSid: string });
    expect(out.filter((m) => m.event === 'media')).toHaveLength(5);
    expect(out.map((m) => m.event).indexOf('mark')).toBe(5);
    expect(out.every((m) => m.streamSid === streamSid)).toBe(true);
    o.ws.send(encodeStop({ sequenceNumber: 30, streamSid, accountSid: TEST_ACCOUNT_SID, callSid }));
    await o.closed;
    expect((await counter('agentlocator_stream_frames_in_total')) - inBefore).toBe(13);
    expect((await counter('agentlocator_stream_frames_out_total')) - outBefore).toBe(5);
  });
});
