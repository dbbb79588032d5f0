// The Twilio errors and warnings this product meets (webhooks, TwiML, media streams), with the
// severity Twilio gives them. What each means and how to fix it is in the language dictionaries.

export const TWILIO_ERROR_CODES = [
  11100, 11200, 11205, 11220, 11750, 12100, 12200, 12300, 15003, 15004, 31901, 31902, 31903, 31910, 31920,
  31921, 31922, 31923, 31924, 31950, 31951,
] as const;

export type KnownTwilioCode = (typeof TWILIO_ERROR_CODES)[number];
export type TwilioSeverity = 'error' | 'warning' | 'notice';

const SEVERITY: Partial<Record<KnownTwilioCode, TwilioSeverity>> = {
  12200: 'warning',
  15003: 'warning',
  31921: 'notice',
  31950: 'warning',
  31951: 'warning',
};

export function isKnownTwilioCode(code: number): code is KnownTwilioCode {
  return (TWILIO_ERROR_CODES as readonly number[]).includes(code);
}

export function twilioSeverity(code: number): TwilioSeverity {
  return isKnownTwilioCode(code) ? (SEVERITY[code] ?? 'error') : 'error';
}

/** Twilio's own page for the code, for the details we do not repeat. */
export function twilioDocsUrl(code: number): string {
  return `https://www.twilio.com/docs/api/errors/${code}`;
}
