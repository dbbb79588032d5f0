// A Twilio (the emulator and its REST fake) for a server process on a known port, and the good
// call the reliability suites place while they attack: the caller hears the flow's prompt and
// leaves a voicemail, with no Twilio error.
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import type { CallResult } from '../../src/emulator/types.js';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_HOST } from './server-process.js';

export interface Twilio {
  emulator: TwilioEmulator;
  rest: FakeTwilioRest;
  close(): Promise<void>;
}

export async function startTwilio(port: number, speed = 10): Promise<Twilio> {
  const emulator = new TwilioEmulator({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    speed,
    networkMap: { [`https://${PUBLIC_HOST}`]: `http://127.0.0.1:${port}` },
  });
  const rest = await startFakeTwilioRest({ emulator, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID });
  return {
    emulator,
    rest,
    close: async () => {
      await emulator.close();
      await rest.close();
    },
  };
}

export const publicUrl = (p: string) => `https://${PUBLIC_HOST}${p}`;

/** One whole call: webhook, greeting, stream with the prompt heard, voicemail, completed. */
export async function placeGoodCall(t: Twilio, callSid?: string): Promise<CallResult> {
  const call = t.emulator.placeCall({
    ...(callSid ? { callSid } : {}),
    webhookUrl: publicUrl('/webhook/incoming_call'),
    statusCallbackUrl: publicUrl('/webhook/call_status'),
    statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'],
    caller: { record: { durationSec: 1, end: 'hangup' } },
  });
  return call.done;
}

/** Why a call was not good, or undefined when it was. */
export function badCall(result: CallResult): string | undefined {
  const errors = result.violations.filter((v) => v.severity !== 'notice');
  if (errors.length > 0) return `violations: ${JSON.stringify(errors)}`;
  if (result.status !== 'completed') return `status ${result.status}`;
  const stream = result.streams[0];
  if (!stream) return 'no stream';
  if (stream.failure) return `stream failure: ${JSON.stringify(stream.failure)}`;
  if (!(stream.mediaReceived > 0)) return 'the caller heard nothing';
  if (result.recordings.length !== 1) return `${result.recordings.length} voicemails`;
  return undefined;
}
