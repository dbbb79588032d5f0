// The offline flow agent end to end, on the default configuration (no flow file, no keys): the
// caller hears the greeting and the Hebrew prompts, barges in, answers by voice and by keypad,
// and the call ends with a lead, answer clips and the call recording in the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import { synthesizeMulaw8k } from '../../src/audio/tts.js';
import { readWav } from '../../src/audio/wav.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  freePort,
  startTestServer,
  type LogLine,
  type TestServer,
} from '../support/server.js';
import { until } from '../support/until.js';
import path from 'node:path';
import { blobKeyOf } from '../../src/blobs/blob-store.js';

describe('the offline flow agent in a real call', () => {
  let s: TestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;
  let name: Buffer;
  let need: Buffer;

  beforeAll(async () => {
    const port = await freePort();
    emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: 5 });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    s = await startTestServer({ PORT: String(port), TWILIO_API_BASE_URL: rest.url });
    // The caller's words, rendered offline like the prompts.
    name = Buffer.from(await synthesizeMulaw8k('דני כהן'));
    need = Buffer.from(await synthesizeMulaw8k('אני מחפש דירה בתל אביב'));
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await s.stop();
  });

  /** The first log line `pred` matches; on timeout the error shows the flow's log so far. */
  const logged = (pred: (l: LogLine) => boolean): Promise<LogLine> =>
    until(
      () => s.logs.lines.find(pred),
      () => {
        const flowLines = s.logs.lines.filter((l) =>
          /^(FLOW|WS_DTMF|WS_STOP|WS_ERROR|WS_REJ|WS_BAD|AGENT|TO_VOICE|HANGUP|TRANSFER)/.test(l.msg),
        );
        return `a log line; flow log: ${JSON.stringify(flowLines.map((l) => [l.msg, l.step ?? l.field ?? l.digit ?? l.by, l.phase, l.code, l.reason]))}`;
      },
    );

  it('takes a message by voice and keypad, with barge-in, and hangs up through the REST API', async () => {
    const call = emulator.placeCall({
      webhookUrl: `${s.origin}/webhook/incoming_call`,
      statusCallbackUrl: `${s.origin}/webhook/call_status`,
    });
    const callSid = call.callSid;
    const mine = (msg: string, extra: (l: LogLine) => boolean = () => true) =>
      logged((l) => l.callSid === callSid && l.msg === msg && extra(l));

    // The welcome menu starts playing; the caller talks over it: the prompt stops at once.
    await call.waitFor('first-media-received');
    await call.sendAudio(name);
    await call.waitFor('clear-received');
    expect((await mine('FLOW_BARGE_IN')).by).toBe('speech');
    await mine('FLOW_SPEECH_END');

    // "3" leaves details: name and need by voice, the callback number by keypad.
    call.sendDtmf('3');
    await mine('FLOW_STEP', (l) => l.step === 'ask_name');
    await call.sendAudio(name);
    await mine('FLOW_ANSWER_SAVED', (l) => l.field === 'name');
    await mine('FLOW_STEP', (l) => l.step === 'ask_need');
    await call.sendAudio(need);
    await mine('FLOW_ANSWER_SAVED', (l) => l.field === 'need');
    await mine('FLOW_STEP', (l) => l.step === 'confirm_phone');
    call.sendDtmf('0501234567#');
    await mine('FLOW_STEP', (l) => l.step === 'goodbye');

    const result = await call.done;
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    // The goodbye was heard to the end, then the agent hung up through Twilio's REST API.
    expect(result.endedBy).toBe('api');
    expect(rest.requests.some((r) => r.params.Status === 'completed')).toBe(true);
    expect(result.playedAudio.length).toBeGreaterThan(8000); // seconds of Hebrew prompts heard

    const stored = await s.store.getCall(callSid);
    expect(stored?.status).toBe('completed');
    const lead = await s.store.getLeadForCall(callSid);
    expect(lead?.contactId).toBe(stored?.contactId);
    expect(lead?.fields).toMatchObject({
      name: { clip: expect.stringMatching(/^LC/) },
      need: { clip: expect.stringMatching(/^LC/) },
      callbackNumber: '0501234567',
    });

    const fileOf = (url: string) => path.join(s.dataDir, blobKeyOf(url)!);
    const recordings = await s.store.listRecordings(callSid);
    const answers = recordings.filter((r) => r.source === 'answer');
    expect(answers).toHaveLength(2);
    for (const clip of answers) {
      // Kept in the blob store (the filesystem one, in DATA_DIR by default) under its path there.
      expect(clip.url).toMatch(/^blob:calls\//);
      expect(existsSync(fileOf(clip.url!))).toBe(true);
      const wav = readWav(new Uint8Array(readFileSync(fileOf(clip.url!))));
      expect(wav).toMatchObject({ encoding: 'mulaw', sampleRate: 8000, channels: 1 });
      // Each clip holds the spoken answer (the VAD endpointed it), not seconds of silence.
      expect(wav.frames).toBeGreaterThan(name.length * 0.5);
      expect(wav.frames).toBeLessThan(need.length + 8000 * 2);
    }
    // The stereo recording is finished by the server after the socket closes: wait for its row.
    const rows = await until(() => s.store.listRecordings(callSid), 'the call-audio recording', {
      is: (all) => all.some((r) => r.source === 'call-audio'),
    });
    const full = rows.find((r) => r.source === 'call-audio')!;
    expect(full.url).toMatch(/^blob:calls\//);
    expect(readWav(new Uint8Array(readFileSync(fileOf(full.url!)))).channels).toBe(2);
  });
});
