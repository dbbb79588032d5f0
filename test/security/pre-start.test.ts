// Pre-start floods (issue 15): a socket that never sends `start` is bounded in the frames it may
// send (repeated `connected` included) and in how many such sockets may wait, in all and per
// remote address; each refusal has a log line and a metric, and a good call still gets through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeConnected } from '../../src/twilio/stream-messages.js';
import { SESSION_LIMITS } from '../../src/call/session-limits.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { closedWithin, connect, echoAgents, liveCall, until, type Opened } from './stream-client.js';

async function metric(s: TestServer, line: RegExp): Promise<number> {
  const text = await (await fetch(`${s.origin}/metrics`)).text();
  const found = text.split('\n').find((l) => line.test(l));
  return found ? Number(found.split(' ').at(-1)) : 0;
}

describe('frames before start', () => {
  let s: TestServer;
  beforeAll(async () => {
    // Far longer than the test: a socket left waiting is not closed by the start timeout here.
    s = await startTestServer({ STREAM_START_TIMEOUT_MS: '30000' }, { agents: echoAgents() });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('closes 1008 on repeated connected frames, counting each', async () => {
    const other = await liveCall(s);
    const o = await connect(s);
    for (let i = 0; i <= SESSION_LIMITS.maxFramesBeforeStart; i++) o.ws.send(encodeConnected());
    expect((await closedWithin(o, 2000)).code).toBe(1008);
    expect(s.logs.find('WS_REJECTED').at(-1)).toMatchObject({
      code: 'STREAM_FLOOD',
      detail: expect.stringMatching(/frames before start/),
    });
    expect(s.logs.find('WS_BAD_FRAME dropped').at(-1)).toMatchObject({ reason: 'repeated connected frame' });
    expect(
      await metric(s, /^agentlocator_stream_rejects_total\{code="STREAM_FLOOD"\}/),
    ).toBeGreaterThanOrEqual(1);
    await other.echoes();
    other.o.ws.close();
  });

  it('closes 1008 on any frames past the limit before start (garbage, media)', async () => {
    const o = await connect(s);
    for (let i = 0; i <= SESSION_LIMITS.maxFramesBeforeStart; i++)
      o.ws.send(i % 2 ? '{"event":"media"}' : 'x');
    expect((await closedWithin(o, 2000)).code).toBe(1008);
  });

  it('lets Twilio’s own connected + start through', async () => {
    const call = await liveCall(s);
    await call.echoes();
    call.o.ws.close();
  });
});

describe('sockets waiting for start', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(
      { STREAM_START_TIMEOUT_MS: '30000', STREAM_MAX_PENDING: '3', STREAM_MAX_PENDING_PER_ADDRESS: '2' },
      { agents: echoAgents() },
    );
  });
  afterAll(async () => {
    await s.stop();
  });

  it('are capped per remote address and in all, with 503 before the upgrade', async () => {
    const waiting: Opened[] = [await connect(s), await connect(s)];
    await until(() => s.built.sessions.size === 2);
    await expect(connect(s)).rejects.toThrow('HTTP 503');
    // Another address still has room, until the global cap.
    waiting.push(await connect(s, { localAddress: '127.0.0.2' }));
    await until(() => s.built.sessions.size === 3);
    await expect(connect(s, { localAddress: '127.0.0.3' })).rejects.toThrow('HTTP 503');

    const refusals = s.logs.find(/^WS_UPGRADE_REJECTED/).filter((l) => l.error === 'STREAM_PENDING_LIMIT');
    expect(refusals.map((l) => l.address)).toEqual(['127.0.0.1', '127.0.0.3']);
    expect(refusals[0]?.msg).toMatch(/STREAM_MAX_PENDING_PER_ADDRESS/);
    expect(refusals[1]?.msg).toMatch(/STREAM_MAX_PENDING\)/);
    expect(await metric(s, /^agentlocator_stream_upgrades_total\{result="STREAM_PENDING_LIMIT"\}/)).toBe(2);

    // Once they go, a good call gets through.
    for (const o of waiting) o.ws.close();
    await until(() => s.built.sessions.size === 0);
    const call = await liveCall(s);
    call.o.ws.close();
  });

  it('stop counting a socket once its start arrived', async () => {
    const live = [await liveCall(s), await liveCall(s), await liveCall(s)];
    // Three live calls from one address, and still room for two waiting sockets.
    const waiting = [await connect(s), await connect(s)];
    for (const o of waiting) o.ws.close();
    for (const call of live) call.o.ws.close();
    await until(() => s.built.sessions.size === 0);
  });
});
