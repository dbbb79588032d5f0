// <Dial> with emulated agent phones against a small app server: whisper TwiML run on the agent's
// leg (signed, with the child call's parameters), <Gather> keys, simultaneous and sequential
// ringing, DialCallStatus/DialBridged to the action, and REST updates that move a live call.
import { afterEach, describe, expect, it } from 'vitest';
import { TwilioEmulator, startFakeTwilioRest } from '../../src/emulator/index.js';
import type { AgentBehaviour, AgentPhone, PlaceCallOptions } from '../../src/emulator/index.js';
import { createTwilioCallsApi } from '../../src/twilio/rest-client.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PUBLIC_HOST,
  startMiniServer,
  streamTwiml,
  xml,
  type MiniServer,
  type MiniServerOptions,
  type SeenRequest,
} from './support.js';

const SPEED = 50;
const base = `https://${PUBLIC_HOST}`;
const DANA = '+972501234567';
const YOSSI = '+972502345678';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: MiniServerOptions): Promise<{ server: MiniServer; emulator: TwilioEmulator }> {
  const server = await startMiniServer(options);
  cleanups.push(() => server.close());
  const emulator = new TwilioEmulator({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    networkMap: { [`https://${PUBLIC_HOST}`]: server.origin },
    speed: SPEED,
  });
  cleanups.push(() => emulator.close());
  return { server, emulator };
}

/** The app's whisper: who is calling, press 1 to take the call; anything else (or nothing) declines. */
const whisperRoutes = {
  '/agent_whisper': () =>
    xml(
      '<Gather numDigits="1" action="/agent_key" timeout="5"><Say language="he-IL">שיחה מלקוח, הקישו 1</Say></Gather>' +
        '<Hangup/>',
    ),
  '/agent_key': (req: SeenRequest) => xml(req.params.Digits === '1' ? '<Say>מחבר</Say>' : '<Hangup/>'),
};

const numberTag = (n: string) => `<Number url="/agent_whisper">${n}</Number>`;

function place(
  emulator: TwilioEmulator,
  agents: Record<string, AgentBehaviour | AgentPhone>,
  extra: Partial<PlaceCallOptions> = {},
) {
  return emulator.placeCall({ webhookUrl: `${base}/voice`, caller: { dial: { agents } }, ...extra });
}

const requestsTo = (server: MiniServer, path: string) => server.requests.filter((r) => r.path === path);

describe('<Dial> with emulated agent phones', () => {
  it('chains a sequential transfer through the action: no answer, then an agent who presses 1', async () => {
    let attempts = 0;
    const { server, emulator } = await setup({
      routes: {
        '/voice': () =>
          xml(`<Dial action="/dial_status" timeout="20" callerId="+97233760000">${numberTag(DANA)}</Dial>`),
        '/dial_status': (req) => {
          attempts += 1;
          if (req.params.DialBridged === 'true') return xml('<Say>תודה</Say><Hangup/>');
          return attempts === 1
            ? xml(`<Dial action="/dial_status" timeout="20" answerOnBridge="true">${numberTag(YOSSI)}</Dial>`)
            : xml('<Hangup/>');
        },
        ...whisperRoutes,
      },
    });
    const call = place(emulator, { [DANA]: 'no-answer', [YOSSI]: { behaviour: 'accept', durationSec: 3 } });
    const result = await call.done;

    expect(result.violations).toEqual([]);
    expect(result).toMatchObject({ status: 'completed', endedBy: 'twiml' });
    expect(result.dials.map((d) => [d.outcome, d.bridged])).toEqual([
      ['no-answer', false],
      ['completed', true],
    ]);
    const [first, second] = result.dials;
    expect(first!.legs).toEqual([
      expect.objectContaining({
        number: DANA,
        behaviour: 'no-answer',
        outcome: 'no-answer',
        digits: [],
        whisper: [],
      }),
    ]);
    // The phone rang for the whole timeout (20 s of call time).
    expect(first!.legs[0]!.endedAt - first!.legs[0]!.ringingAt).toBeGreaterThanOrEqual(20_000 / SPEED - 2);
    expect(second).toMatchObject({ answerOnBridge: true, sequential: false, timeoutSec: 20 });
    const leg = second!.legs[0]!;
    expect(leg).toMatchObject({ number: YOSSI, outcome: 'bridged', digits: ['1'] });
    expect(leg.whisper.map((w) => new URL(w.url).pathname)).toEqual(['/agent_whisper', '/agent_key']);
    expect(leg.whisper[0]!.xml).toContain('<Gather numDigits="1"');
    expect(leg.durationSec).toBeGreaterThanOrEqual(3);

    // Only the agent who answered got the whisper, signed, with the child call's parameters.
    const whispers = requestsTo(server, '/agent_whisper');
    expect(whispers).toHaveLength(1);
    expect(whispers[0]!.signatureOk).toBe(true);
    expect(whispers[0]!.params).toMatchObject({
      CallSid: leg.callSid,
      ParentCallSid: call.callSid,
      Direction: 'outbound-dial',
      CallStatus: 'in-progress',
      From: result.from, // no callerId on the second <Dial>: the caller's number
      To: YOSSI,
      AccountSid: ACCOUNT_SID,
    });
    expect(leg.callSid).not.toBe(call.callSid);
    const keys = requestsTo(server, '/agent_key');
    expect(keys.map((k) => [k.params.Digits, k.params.CallSid, k.signatureOk])).toEqual([
      ['1', leg.callSid, true],
    ]);

    const statuses = requestsTo(server, '/dial_status').map((r) => r.params);
    expect(statuses[0]).toMatchObject({
      DialCallStatus: 'no-answer',
      DialBridged: 'false',
      CallSid: call.callSid,
    });
    expect(statuses[0]!.DialCallSid).toBe(first!.legs[0]!.callSid);
    expect(statuses[0]!.DialCallDuration).toBeUndefined();
    expect(statuses[1]).toMatchObject({
      DialCallStatus: 'completed',
      DialBridged: 'true',
      DialCallSid: leg.callSid,
    });
    expect(Number(statuses[1]!.DialCallDuration)).toBeGreaterThanOrEqual(3);
    // The caller's leg heard the action's TwiML after the bridge ended.
    expect(result.timeline.filter((e) => e.kind === 'say').map((e) => e.detail.text)).toEqual(['תודה']);
    expect(result.timeline.filter((e) => e.kind === 'agent-say').map((e) => e.detail.number)).toEqual([
      YOSSI,
      YOSSI,
    ]);
  });

  it('rings two numbers at once: one declines with 2, the other accepts with 1 and is bridged', async () => {
    const { server, emulator } = await setup({
      routes: {
        '/voice': () =>
          xml(`<Dial action="/dial_status" timeout="20">${numberTag(DANA)}${numberTag(YOSSI)}</Dial>`),
        '/dial_status': () => xml('<Hangup/>'),
        ...whisperRoutes,
      },
    });
    const result = await place(emulator, {
      [DANA]: { behaviour: 'decline', answerAfterMs: 500 },
      // Well after Dana's decline even on a loaded machine (her whisper is two HTTP round trips).
      [YOSSI]: { behaviour: 'accept', answerAfterMs: 15_000 },
    }).done;

    expect(result.violations).toEqual([]);
    const [dial] = result.dials;
    expect(dial).toMatchObject({ outcome: 'completed', bridged: true, sequential: false });
    const [dana, yossi] = dial!.legs;
    expect(dana).toMatchObject({ number: DANA, outcome: 'declined', digits: ['2'] });
    expect(yossi).toMatchObject({ number: YOSSI, outcome: 'bridged', digits: ['1'] });
    // Both rang from the start: Yossi's phone was still ringing while Dana whispered and declined.
    expect(Math.abs(dana!.ringingAt - yossi!.ringingAt)).toBeLessThan(5);
    expect(dana!.endedAt).toBeLessThan(yossi!.answeredAt!);
    expect(dial!.dialCallSid).toBe(yossi!.callSid);
    const keys = requestsTo(server, '/agent_key').map((r) => [r.params.To, r.params.Digits]);
    expect(keys).toEqual([
      [DANA, '2'],
      [YOSSI, '1'],
    ]);
    expect(requestsTo(server, '/dial_status')[0]!.params).toMatchObject({
      DialCallStatus: 'completed',
      DialBridged: 'true',
      DialCallSid: yossi!.callSid,
    });
  });

  it('bridges the first to accept and hangs up the phone still ringing, which never gets a whisper', async () => {
    const { server, emulator } = await setup({
      routes: {
        '/voice': () => xml(`<Dial timeout="20">${numberTag(DANA)}${numberTag(YOSSI)}</Dial><Say>אחרי</Say>`),
        ...whisperRoutes,
      },
    });
    const result = await place(emulator, {
      [DANA]: { behaviour: 'accept', answerAfterMs: 500, durationSec: 2 },
      [YOSSI]: { behaviour: 'accept', answerAfterMs: 15_000 },
    }).done;

    const legs = result.dials[0]!.legs;
    expect(legs.map((l) => [l.number, l.outcome])).toEqual([
      [DANA, 'bridged'],
      [YOSSI, 'canceled'],
    ]);
    expect(legs[1]!.answeredAt).toBeUndefined();
    // Cancelled at the bridge, long before its 15 s pick-up.
    expect(legs[1]!.endedAt - legs[1]!.ringingAt).toBeLessThan(15_000 / SPEED);
    expect(requestsTo(server, '/agent_whisper').map((r) => r.params.To)).toEqual([DANA]);
    // Without an action the caller's document goes on after the bridge ends.
    expect(result.timeline.filter((e) => e.kind === 'say').map((e) => e.detail.text)).toEqual(['אחרי']);
  });

  it('lets a silent agent time out at the whisper <Gather>, which falls through to <Hangup>', async () => {
    const { server, emulator } = await setup({
      routes: {
        '/voice': () => xml(`<Dial action="/dial_status">${numberTag(DANA)}</Dial>`),
        '/dial_status': () => xml('<Hangup/>'),
        ...whisperRoutes,
      },
    });
    const result = await place(emulator, { [DANA]: 'silent' }).done;

    expect(requestsTo(server, '/agent_key')).toEqual([]);
    const leg = result.dials[0]!.legs[0]!;
    expect(leg).toMatchObject({ outcome: 'declined', digits: [] });
    // The Gather waited its 5 s timeout (after its prompt) before falling through.
    expect(leg.endedAt - leg.answeredAt!).toBeGreaterThanOrEqual(5000 / SPEED);
    expect(result.timeline.some((e) => e.kind === 'agent-gather-end' && e.detail.input === false)).toBe(true);
    // Twilio: an answered child hung up during screening is completed, but not bridged.
    expect(requestsTo(server, '/dial_status')[0]!.params).toMatchObject({
      DialCallStatus: 'completed',
      DialBridged: 'false',
      DialCallSid: leg.callSid,
    });
    expect(result.dials[0]).toMatchObject({ outcome: 'completed', bridged: false });
  });

  it.each([
    ['busy', 'busy'],
    ['failed', 'failed'],
    ['no-answer', 'no-answer'],
  ] as const)('posts DialCallStatus=%s for a %s phone, without a duration', async (behaviour, status) => {
    const { server, emulator } = await setup({
      routes: {
        '/voice': () => xml(`<Dial action="/dial_status" timeout="5">${numberTag(DANA)}</Dial>`),
        '/dial_status': () => xml('<Say>אין מענה</Say>'),
        ...whisperRoutes,
      },
    });
    const result = await place(emulator, { [DANA]: behaviour }).done;
    const params = requestsTo(server, '/dial_status')[0]!.params;
    expect(params).toMatchObject({ DialCallStatus: status, DialBridged: 'false' });
    expect(params.DialCallDuration).toBeUndefined();
    expect(result.dials[0]!.legs[0]!.outcome).toBe(status);
    expect(requestsTo(server, '/agent_whisper')).toEqual([]);
    expect(result.timeline.some((e) => e.kind === 'say' && e.detail.text === 'אין מענה')).toBe(true);
  });

  it('keeps the call-wide dial.outcome as the default for numbers without a script', async () => {
    const { server, emulator } = await setup({
      routes: {
        '/voice': () =>
          xml(`<Dial action="/dial_status" timeout="5">${DANA}<Number>${YOSSI}</Number></Dial>`),
        '/dial_status': () => xml('<Hangup/>'),
      },
    });
    const result = await emulator.placeCall({
      webhookUrl: `${base}/voice`,
      caller: { dial: { outcome: 'busy', agents: { [YOSSI]: 'no-answer' } } },
    }).done;
    expect(result.dials[0]!.legs.map((l) => [l.number, l.behaviour, l.outcome])).toEqual([
      [DANA, 'busy', 'busy'],
      [YOSSI, 'no-answer', 'no-answer'],
    ]);
    // The leg that ended last (the no-answer at the timeout) decides the status.
    expect(requestsTo(server, '/dial_status')[0]!.params.DialCallStatus).toBe('no-answer');
  });

  it('rings one after the other with sequential="true" and stops at the first bridged', async () => {
    const third = '+972503456789';
    const { server, emulator } = await setup({
      routes: {
        '/voice': () =>
          xml(
            `<Dial sequential="true" timeout="5">${numberTag(DANA)}${numberTag(YOSSI)}${numberTag(third)}</Dial>`,
          ),
        ...whisperRoutes,
      },
    });
    const result = await place(emulator, { [DANA]: 'decline', [YOSSI]: 'accept', [third]: 'accept' }).done;
    const legs = result.dials[0]!.legs;
    expect(legs.map((l) => [l.number, l.outcome])).toEqual([
      [DANA, 'declined'],
      [YOSSI, 'bridged'],
    ]);
    expect(legs[1]!.ringingAt).toBeGreaterThanOrEqual(legs[0]!.endedAt);
    expect(requestsTo(server, '/agent_whisper').map((r) => r.params.To)).toEqual([DANA, YOSSI]);
  });

  it('flags a verb a whisper may not hold as a 12200 warning and skips it', async () => {
    const { emulator } = await setup({
      routes: {
        '/voice': () => xml(`<Dial>${numberTag(DANA)}</Dial>`),
        '/agent_whisper': () => xml(`<Say>שלום</Say><Dial>${YOSSI}</Dial>`),
      },
    });
    const result = await place(emulator, { [DANA]: 'accept' }).done;
    expect(result.violations.map((v) => [v.code, v.severity])).toEqual([[12200, 'warning']]);
    expect(result.violations[0]!.message).toMatch(/<Dial> is not allowed in a <Number url> document/);
    // The whisper document ran out after the skipped verb: Twilio bridges.
    expect(result.dials[0]!.legs[0]!.outcome).toBe('bridged');
  });

  it('cancels the ringing phones when the caller hangs up, and still posts the action', async () => {
    const { server, emulator } = await setup({
      routes: {
        '/voice': () =>
          xml(`<Dial action="/dial_status" timeout="30">${numberTag(DANA)}${numberTag(YOSSI)}</Dial>`),
        '/dial_status': () => xml('<Say>never heard</Say>'),
        ...whisperRoutes,
      },
    });
    const call = place(emulator, { [DANA]: 'no-answer', [YOSSI]: 'no-answer' });
    await call.waitFor('agent-ringing');
    const result = await call.hangUp();
    expect(result.dials[0]!.legs.map((l) => l.outcome)).toEqual(['canceled', 'canceled']);
    expect(requestsTo(server, '/dial_status')[0]!.params).toMatchObject({
      DialCallStatus: 'canceled',
      DialBridged: 'false',
      CallStatus: 'completed',
    });
    expect(result.timeline.some((e) => e.kind === 'say')).toBe(false);
    expect(result.endedBy).toBe('caller');
  });

  it('collects the caller’s own keys at a <Gather> on the caller’s leg', async () => {
    const { server, emulator } = await setup({
      routes: {
        '/voice': () =>
          xml('<Gather action="/menu" finishOnKey="#"><Say>הקישו</Say></Gather><Say>לא נבחר</Say>'),
        '/menu': () => xml('<Hangup/>'),
      },
    });
    const chose = await emulator.placeCall({
      webhookUrl: `${base}/voice`,
      caller: { gather: { digits: '42#' } },
    }).done;
    expect(requestsTo(server, '/menu').map((r) => [r.params.Digits, r.params.CallSid])).toEqual([
      ['42', chose.callSid],
    ]);
    expect(chose.timeline.some((e) => e.kind === 'say' && e.detail.text === 'לא נבחר')).toBe(false);

    const silent = await emulator.placeCall({ webhookUrl: `${base}/voice` }).done;
    expect(silent.timeline.some((e) => e.kind === 'say' && e.detail.text === 'לא נבחר')).toBe(true);
    expect(requestsTo(server, '/menu')).toHaveLength(1);
  });
});

describe('REST updates that move a live call into and out of a <Dial>', () => {
  async function restSetup(options: MiniServerOptions) {
    const { server, emulator } = await setup(options);
    const rest = await startFakeTwilioRest({ emulator, authToken: AUTH_TOKEN });
    cleanups.push(() => rest.close());
    const api = createTwilioCallsApi({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: rest.url });
    return { server, emulator, api };
  }

  it('ends the stream (stop, close, no Connect action) and runs the transfer <Dial> with its whisper', async () => {
    const frames: string[] = [];
    const { server, emulator, api } = await restSetup({
      wsPaths: ['/ws'],
      onSocket: (ws) =>
        ws.on('message', (d) => frames.push((JSON.parse(d.toString()) as { event: string }).event)),
      routes: {
        '/voice': () => streamTwiml(`wss://${PUBLIC_HOST}/ws`),
        '/webhook/stream_status': () => ({ status: 204 }),
        '/webhook/stream_ended': () => xml('<Say>should not run</Say>'),
        '/dial_status': () => xml('<Hangup/>'),
        ...whisperRoutes,
      },
    });
    const call = emulator.placeCall({
      webhookUrl: `${base}/voice`,
      caller: { silence: false, dial: { agents: { [DANA]: 'accept' } } },
    });
    await call.waitFor('start-sent');
    await api.updateTwiml(
      call.callSid,
      `<Response><Dial action="${base}/dial_status" timeout="20" answerOnBridge="true">` +
        `<Number url="${base}/agent_whisper">${DANA}</Number></Dial></Response>`,
    );
    const result = await call.done;

    expect(result.violations).toEqual([]);
    expect(result.streams[0]).toMatchObject({ endedBy: 'api-update', closeCode: 1000 });
    expect(frames.at(-1)).toBe('stop');
    expect(server.sockets[0]!.readyState).toBe(server.sockets[0]!.CLOSED);
    expect(requestsTo(server, '/webhook/stream_ended')).toEqual([]);
    expect(result.dials[0]).toMatchObject({ outcome: 'completed', bridged: true, answerOnBridge: true });
    expect(requestsTo(server, '/agent_whisper')[0]!.params.ParentCallSid).toBe(call.callSid);
    expect(requestsTo(server, '/dial_status')[0]!.params).toMatchObject({
      DialCallStatus: 'completed',
      DialBridged: 'true',
    });
  });

  it('moves a call out of a ringing <Dial>: the phones are cancelled, the action is posted, the new TwiML runs', async () => {
    const { server, emulator, api } = await restSetup({
      routes: {
        '/voice': () => xml(`<Dial action="/dial_status" timeout="60">${numberTag(DANA)}</Dial>`),
        '/dial_status': () => xml('<Say>not run: the REST TwiML replaced the call’s</Say>'),
        ...whisperRoutes,
      },
    });
    const call = place(emulator, { [DANA]: 'no-answer' });
    await call.waitFor('agent-ringing');
    await api.updateTwiml(call.callSid, '<Response><Say>תא קולי</Say><Hangup/></Response>');
    const result = await call.done;

    expect(result.dials[0]!.legs[0]!.outcome).toBe('canceled');
    expect(requestsTo(server, '/dial_status')[0]!.params).toMatchObject({
      DialCallStatus: 'canceled',
      DialBridged: 'false',
      CallStatus: 'in-progress',
    });
    expect(result.timeline.filter((e) => e.kind === 'say').map((e) => e.detail.text)).toEqual(['תא קולי']);
    expect(result).toMatchObject({ status: 'completed', endedBy: 'twiml' });
  });
});
