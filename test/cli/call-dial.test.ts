// `call --agent … --rest-port …` against a small app server that transfers the call through the
// CLI's fake REST API once the stream starts: the caller stays on through the <Dial>, each agent's
// phone behaves as scripted, and the timeline tells the transfer's story.
import { afterEach, describe, expect, it } from 'vitest';
import { runCall } from '../../src/cli/call/run-call.js';
import { timelineLines } from '../../src/cli/call/timeline.js';
import { parseTarget, UsageError } from '../../src/cli/target.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  onStart,
  startMiniServer,
  xml,
  type MiniServer,
} from '../emulator/support.js';
import { freePort } from '../support/server.js';

const DANA = '+972501234567';
const YOSSI = '+972502345678';

let server: MiniServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('agentlocator call with agents', () => {
  it('transfers through the fake REST API: one agent declines, the other accepts and is bridged', async () => {
    const restPort = await freePort();
    const updates: number[] = [];
    server = await startMiniServer({
      wsPaths: ['/ws'],
      onSocket: (ws) =>
        void onStart(ws).then(async () => {
          // The app's transfer: calls(sid).update({ twiml }) with absolute URLs.
          const origin = `https://${server!.host}`;
          const twiml =
            `<Response><Dial action="${origin}/dial_status" timeout="20">` +
            `<Number url="${origin}/whisper">${DANA}</Number><Number url="${origin}/whisper">${YOSSI}</Number>` +
            '</Dial></Response>';
          const callSid = server!.requests.find((r) => r.path === '/webhook/incoming_call')!.params.CallSid!;
          const res = await fetch(
            `http://127.0.0.1:${restPort}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${callSid}.json`,
            {
              method: 'POST',
              headers: {
                authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
                'content-type': 'application/x-www-form-urlencoded',
              },
              body: new URLSearchParams({ Twiml: twiml }).toString(),
            },
          );
          updates.push(res.status);
        }),
      routes: {
        '/webhook/incoming_call': (req) =>
          xml(
            `<Connect action="/webhook/stream_ended"><Stream url="wss://${req.headers.host}/ws"/></Connect>`,
          ),
        '/webhook/stream_ended': () => xml('<Say>not requested after a REST update</Say>'),
        '/webhook/call_status': () => ({ status: 204 }),
        '/whisper': () => xml('<Gather numDigits="1" action="/key"><Say>1</Say></Gather><Hangup/>'),
        '/key': (req) => xml(req.params.Digits === '1' ? '' : '<Hangup/>'),
        '/dial_status': (req) =>
          xml(req.params.DialBridged === 'true' ? '<Say>תודה</Say><Hangup/>' : '<Hangup/>'),
      },
    });
    const result = await runCall({
      target: parseTarget(server.origin),
      authToken: AUTH_TOKEN,
      accountSid: ACCOUNT_SID,
      // Shorter than the transfer: the caller still stays on until the call ends.
      durationMs: 1500,
      agents: { [DANA]: 'decline', [YOSSI]: 'accept' },
      restPort,
    });

    expect(updates).toEqual([200]);
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    expect(result.streams[0]!.endedBy).toBe('api-update');
    expect(result).toMatchObject({ endedBy: 'twiml' });
    expect(result.dials[0]!.legs.map((l) => [l.number, l.outcome, l.digits])).toEqual([
      [DANA, 'declined', ['2']],
      [YOSSI, 'bridged', ['1']],
    ]);
    expect(server.requests.some((r) => r.path === '/webhook/stream_ended')).toBe(false);

    const text = timelineLines(result).map((l) => l.text);
    expect(text).toContain(`<Dial> rings ${DANA}, ${YOSSI} (timeout 20 s, all at once)`);
    expect(text).toContain(`  ${DANA} rings (decline)`);
    expect(text).toContain(`  ${DANA} presses 2`);
    expect(text).toContain(`  ${DANA}: whisper <Hangup> (declined)`);
    expect(text).toContain(`  ${YOSSI} presses 1`);
    expect(text).toContain(`  ${YOSSI} is bridged with the caller`);
    expect(text.some((t) => /^<Dial> ends: DialCallStatus=completed, bridged \d+ s$/.test(t))).toBe(true);
    expect(text.some((t) => t.startsWith('whisper /whisper → 200'))).toBe(true);
    expect(text.some((t) => t.startsWith('  TwiML: <Gather numDigits=1 action=/key> <Hangup>'))).toBe(true);
    expect(text).toContain('REST API: calls(sid).update new TwiML');
    expect(text).toContain(
      '  TwiML: <Dial action=https://' +
        server.host +
        '/dial_status timeout=20><Number url=https://' +
        server.host +
        '/whisper><Number url=https://' +
        server.host +
        '/whisper>',
    );
    expect(text).toContain('stop sent (the REST update ends the stream)');
    expect(text).toContain('call ended: completed (twiml)');
  });

  it('names a --rest-port already in use as a usage error', async () => {
    server = await startMiniServer({});
    await expect(
      runCall({
        target: parseTarget(server.origin),
        authToken: AUTH_TOKEN,
        accountSid: ACCOUNT_SID,
        durationMs: 100,
        restPort: server.port,
      }),
    ).rejects.toThrow(UsageError);
  });
});
