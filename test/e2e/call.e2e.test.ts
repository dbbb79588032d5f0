// Whole calls against the real server, placed by the Twilio emulator over real sockets:
// webhook → TwiML → greeting → signed stream → the agent → stream end → <Connect action> →
// <Record> voicemail → recording callbacks → the call completed in the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  DIRECT_FRAMES,
  freePort,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const PUBLIC = 'agents.example.com';
const url = (p: string) => `https://${PUBLIC}${p}`;

/** A flow that sends every caller straight to voicemail: the stream ends with the caller on the line. */
function voicemailFlowFile(): string {
  const file = path.join(tmpdir(), `flow-voicemail-${process.pid}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      start: 'handoff',
      goodbyeNoInput: 'להתראות',
      steps: { handoff: { type: 'transfer', prompt: 'מעבירים אתכם לתא הקולי.', department: 'sales' } },
    }),
  );
  return file;
}

describe('a call through the whole telephony edge', () => {
  let s: TestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;

  beforeAll(async () => {
    const port = await freePort();
    // The emulator dials the public host at the local server, as a TLS proxy would.
    emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 10,
      networkMap: { [`https://${PUBLIC}`]: `http://127.0.0.1:${port}` },
    });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    s = await startTestServer({
      PORT: String(port),
      PUBLIC_HOST: PUBLIC,
      FLOW_FILE: voicemailFlowFile(),
      TWILIO_API_BASE_URL: rest.url,
    });
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await s.stop();
  });

  it('goes from webhook to voicemail to a completed call in the store, with no Twilio error', async () => {
    const call = emulator.placeCall({
      webhookUrl: url('/webhook/incoming_call'),
      statusCallbackUrl: url('/webhook/call_status'),
      statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'],
      caller: { record: { durationSec: 2, end: 'hangup' } },
    });
    const result = await call.done;

    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    expect(result.status).toBe('completed');
    const byPurpose = (p: string) => result.requests.filter((r) => r.purpose === p);
    expect(byPurpose('webhook')[0]).toMatchObject({ status: 200 });
    expect(byPurpose('play')[0]).toMatchObject({ status: 200, contentType: 'audio/mpeg' });
    expect(result.streams).toHaveLength(1);
    const stream = result.streams[0]!;
    expect(stream).toMatchObject({
      url: `wss://${PUBLIC}/ws/twilio-media`,
      endedBy: 'server',
      closeCode: 1000,
    });
    expect(stream.failure).toBeUndefined();
    expect(stream.mediaReceived).toBeGreaterThan(0); // the flow's prompt reached the caller
    expect(stream.marksEchoed.length).toBeGreaterThan(0);
    // The stream ended with the caller on the line: <Connect action> answered <Record>.
    expect(
      result.documents.some((d) => d.url?.endsWith('/webhook/stream_ended') && d.xml.includes('<Record')),
    ).toBe(true);
    expect(result.recordings).toHaveLength(1);

    const callSid = call.callSid;
    const stored = await s.store.getCall(callSid);
    expect(stored).toMatchObject({ status: 'completed', fromNumber: result.from });
    const recordings = await s.store.listRecordings(callSid);
    expect(recordings.find((r) => r.source === 'voicemail')).toMatchObject({
      recordingSid: result.recordings[0]!.recordingSid,
      status: 'completed',
    });
    expect(recordings.find((r) => r.source === 'call-audio')).toBeDefined();
    const streamRow = await s.store.getStream(stream.streamSid);
    expect(streamRow).toMatchObject({ callSid, closeCode: 1000 });
    expect(streamRow?.framesIn).toBeGreaterThan(0);
    const events = await s.store.listCallEvents(callSid);
    expect(events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['stream-started', 'stream-stopped', 'stream-ended', 'completed']),
    );

    // The seed's log lines, each carrying the call's sids.
    const mine = (msg: string) => s.logs.find(msg).filter((l) => l.callSid === callSid);
    expect(mine('WS_START')[0]).toMatchObject({ streamSid: stream.streamSid });
    expect(mine('WS_FRAME')[0]).toMatchObject({ streamSid: stream.streamSid, len: expect.any(Number) });
    expect(mine('WS_STOP')[0]).toMatchObject({ streamSid: stream.streamSid, code: 1000 });
    expect(s.logs.find('WS_CONNECTED').length).toBeGreaterThan(0);
    // Caller frames were read off the socket by src/ws/frame-reader.ts, not through ws's Receiver,
    // unless WS_DIRECT_FRAMES=false.
    expect(s.logs.find('WS_CONNECTED').every((l) => l.directFrames === DIRECT_FRAMES)).toBe(true);
  });

  it('marks a call completed when the caller hangs up mid-stream, with nothing left to run', async () => {
    const call = emulator.placeCall({
      webhookUrl: url('/webhook/incoming_call'),
      statusCallbackUrl: url('/webhook/call_status'),
      caller: { hangUpAfterMs: 50 },
    });
    const result = await call.done;
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    expect((await s.store.getCall(call.callSid))?.status).toBe('completed');
    // The action after a hang-up gets an empty document: nobody to record.
    const action = result.requests.find((r) => r.purpose === 'action');
    if (action) expect(action.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});
