// Small Twilio facts the checks share: an error code with Twilio's title, and the form parameters
// Twilio sends with a voice request for the doctor's call.
import { TWILIO_CODES, titleOf, type TwilioCode } from '../../emulator/index.js';
import type { TwilioError } from './types.js';

export function twilioError(code: number): TwilioError {
  const known = code in TWILIO_CODES;
  return { code, title: known ? titleOf(code as TwilioCode) : 'Twilio error' };
}

/** The caller and number the doctor's calls use (an Israeli mobile calling an Israeli number). */
export const DOCTOR_FROM = '+972500000000';
export const DOCTOR_TO = '+97230000000';

/** Twilio's standard voice-request parameters for the doctor's call, with this CallStatus. */
export function voiceParams(
  call: { accountSid: string; callSid: string },
  callStatus: string,
): Record<string, string> {
  return {
    AccountSid: call.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.callSid,
    CallStatus: callStatus,
    Called: DOCTOR_TO,
    CalledCountry: 'IL',
    Caller: DOCTOR_FROM,
    CallerCountry: 'IL',
    Direction: 'inbound',
    From: DOCTOR_FROM,
    FromCountry: 'IL',
    To: DOCTOR_TO,
    ToCountry: 'IL',
  };
}

/** Milliseconds as people read them: "840 ms", "2.4 s". */
export function ms(value: number): string {
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
}
