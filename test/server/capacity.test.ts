// MAX_CALLS per instance: a call over it still gets served (a short prompt and the voicemail
// <Record>, 200), with a log line and a metric; /readyz says capacity full with 200; and a call
// stops counting when its stream ends, when a final status arrives, or when its stream never comes.
import { afterEach, describe, expect, it } from 'vitest';
import { TwilioEmulator } from '../../src/emulator/index.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';
import { until } from '../support/until.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function server(env: Record<string, string>): Promise<TestServer> {
  const s = await startTestServer(env);
  servers.push(s);
  return s;
}

const incoming = async (s: TestServer, callSid: string) => {
  const res = await postSigned(`${s.origin}/webhook/incoming_call`, incomingCallParams(callSid));
  return { status: res.status, xml: await res.text() };
};
const ready = async (s: TestServer) => {
  const res = await fetch(`${s.origin}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const metric = async (s: TestServer, line: RegExp) =>
  line.exec(await (await fetch(`${s.origin}/metrics`)).text())?.[1];

describe('MAX_CALLS', () => {
  it('answers the call over capacity with a prompt and <Record>, logs it and counts it', async () => {
    const s = await server({ MAX_CALLS: '1' });
    const first = newCallSid();
    expect((await incoming(s, first)).xml).toContain('<Connect');
    expect(await ready(s)).toEqual({
      status: 200,
      body: expect.objectContaining({ capacity: 'full', calls: 1, maxCalls: 1 }) as unknown,
    });

    const second = newCallSid();
    const over = await incoming(s, second);
    expect(over.status).toBe(200);
    expect(over.xml).not.toContain('<Connect');
    expect(over.xml).toMatch(/<Say [^>]*>[^<]+<\/Say><Record [^>]*action="\/webhook\/handle_recording"/);
    const line = s.logs.find(/^CAPACITY_FULL/);
    expect(line).toHaveLength(1);
    expect(line[0]).toMatchObject({ callSid: second, calls: 1, maxCalls: 1 });
    expect(await metric(s, /agentlocator_capacity_rejections_total\{limit="calls"\} (\d+)/)).toBe('1');
    expect((await s.store.getCall(second))?.outcome).toBe('capacity-voicemail');

    // Twilio retrying the held call's webhook gets its stream again, not the voicemail.
    expect((await incoming(s, first)).xml).toContain('<Connect');
    expect(await metric(s, /agentlocator_calls_active (\d+)/)).toBe('1');
  });

  it('stops counting a call whose stream never comes, and one a final status ended', async () => {
    const s = await server({ MAX_CALLS: '1', CALL_STREAM_TIMEOUT_MS: '300' });
    await incoming(s, newCallSid());
    expect((await ready(s)).body.capacity).toBe('full');
    await until(async () => (await ready(s)).body.calls === 0, 'the count released after the timeout');
    expect(s.logs.find(/^CAPACITY_STREAM_TIMEOUT/)).toHaveLength(1);
    expect(await metric(s, /agentlocator_calls_total\{outcome="stream-timeout"\} (\d+)/)).toBe('1');

    const ended = newCallSid();
    expect((await incoming(s, ended)).xml).toContain('<Connect');
    const status = await postSigned(`${s.origin}/webhook/call_status`, {
      CallSid: ended,
      CallStatus: 'completed',
      SequenceNumber: '3',
    });
    expect(status.status).toBe(204);
    expect((await ready(s)).body).toMatchObject({ capacity: 'ok', calls: 0 });
    expect(await metric(s, /agentlocator_calls_total\{outcome="call-ended"\} (\d+)/)).toBe('1');
  });

  it('counts a streamed call until its stream ends, then takes the next call', async () => {
    const s = await server({ MAX_CALLS: '1' });
    const emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 5,
    });
    try {
      const call = emulator.placeCall({ webhookUrl: `${s.origin}/webhook/incoming_call` });
      await call.waitFor('first-media-received');
      expect((await ready(s)).body).toMatchObject({ capacity: 'full', calls: 1 });
      const refused = emulator.placeCall({ webhookUrl: `${s.origin}/webhook/incoming_call` });
      // Over capacity the caller hears the prompt and can leave a message: never silence or busy.
      await refused.waitFor('record-start');
      await refused.hangUp();
      await call.hangUp();
      await until(async () => (await ready(s)).body.calls === 0, 'the stream end released the call');
      expect(await metric(s, /agentlocator_calls_total\{outcome="stream-ended"\} (\d+)/)).toBe('1');
      const next = emulator.placeCall({ webhookUrl: `${s.origin}/webhook/incoming_call` });
      await next.waitFor('first-media-received');
      await next.hangUp();
    } finally {
      await emulator.close();
    }
  });
});
