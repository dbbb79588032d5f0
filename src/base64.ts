// Base64 the way Twilio and OpenAI carry audio (RFC 4648 §4, padded), checked and measured
// without decoding. Shared by the Twilio edge, the Realtime client and the emulator.

const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/**
 * Padded standard base64 and nothing else, so it can be pasted into JSON text as it is. Runs twice
 * per caller frame: it searches for one character outside the alphabet rather than matching the
 * whole string against it, which is faster (bench/README.md).
 */
export function isBase64(s: string): boolean {
  const n = s.length;
  if (n % 4 !== 0 || NOT_BASE64.test(s)) return false;
  const pad = s.indexOf('=');
  return pad === -1 || pad === n - 1 || (pad === n - 2 && s.charCodeAt(n - 1) === 61);
}

/** The bytes a base64 string decodes to, without decoding it. */
export function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}
