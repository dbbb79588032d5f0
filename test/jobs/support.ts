// What the transcription tests share: a small real WAV, the webhooks of a voicemail call as
// Twilio sends them, and an answer clip kept as the flow agent keeps one.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeWav } from '../../src/audio/wav.js';
import type { Store } from '../../src/store/store.js';
import { TEST_ACCOUNT_SID, incomingCallParams, newCallSid, postSigned } from '../support/server.js';

/** 0.5 s of μ-law noise as a WAV file, different every time (tests compare the bytes sent). */
export function testWav(): Buffer {
  return Buffer.from(writeWav({ encoding: 'mulaw', sampleRate: 8000, samples: randomBytes(4000) }));
}

export const recordingSid = () => `RE${randomBytes(16).toString('hex')}`;

export const twilioRecordingUrl = (sid: string) =>
  `https://api.twilio.com/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${sid}`;

/** incoming_call; the caller leaves a voicemail (<Record action>, then its completed callback); the call ends. */
export async function voicemailCall(origin: string, sid: string): Promise<string> {
  const callSid = newCallSid();
  const ok = (r: Response) => {
    if (!r.ok) throw new Error(`webhook answered ${r.status}`);
  };
  ok(await postSigned(`${origin}/webhook/incoming_call`, incomingCallParams(callSid)));
  const url = twilioRecordingUrl(sid);
  ok(
    await postSigned(`${origin}/webhook/handle_recording`, {
      CallSid: callSid,
      RecordingUrl: url,
      RecordingDuration: '3',
      Digits: 'hangup',
    }),
  );
  ok(
    await postSigned(`${origin}/webhook/handle_recording`, {
      CallSid: callSid,
      RecordingSid: sid,
      RecordingUrl: url,
      RecordingStatus: 'completed',
      RecordingDuration: '3',
    }),
  );
  ok(
    await postSigned(`${origin}/webhook/call_status`, {
      CallSid: callSid,
      CallStatus: 'completed',
      CallDuration: '20',
    }),
  );
  return callSid;
}

/** An answer clip as the flow agent saves one: a WAV under DATA_DIR/calls, its row, its lead field. */
export async function answerClip(
  store: Store,
  dataDir: string,
  callSid: string,
  field: string,
  wav: Buffer,
): Promise<string> {
  const sid = `LC${randomBytes(16).toString('hex')}`;
  const file = path.join(dataDir, 'calls', callSid, `${field}-${sid}.wav`);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, wav, { mode: 0o600 });
  await store.upsertRecording({
    recordingSid: sid,
    callSid,
    url: file,
    durationSec: 1,
    status: 'completed',
    source: 'answer',
    at: new Date(),
  });
  const call = await store.getCall(callSid);
  await store.saveLead({
    callSid,
    contactId: call?.contactId ?? null,
    fields: { [field]: { clip: sid, durationMs: 500 } },
    at: new Date(),
  });
  return sid;
}
