// The per-call stream token: put in the TwiML as <Parameter name="token">, checked on `start`.
// Derived (HMAC of the CallSid) so a retried webhook gets the same TwiML and any instance that
// knows the secret can check it; single use is enforced by the store's claimStream.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function streamToken(secret: string, callSid: string): string {
  return createHmac('sha256', secret)
    .update(`agentlocator-stream:${callSid}`)
    .digest('base64url')
    .slice(0, 32);
}

export function isValidStreamToken(secret: string, callSid: string, token: string | undefined): boolean {
  if (!token) return false;
  const expected = Buffer.from(streamToken(secret, callSid));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The <Parameter> of a handed-over stream: when the previous stream claimed the call (ms). */
export const HANDOVER_PARAMETER = 'handover';

/**
 * The token of a handed-over stream signs every parameter it carries (the agent's resume state
 * among them), so a new stream resumes exactly where the old instance said, and nothing else.
 */
export function handoverToken(
  secret: string,
  callSid: string,
  parameters: Readonly<Record<string, string>>,
): string {
  const canonical = JSON.stringify(Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHmac('sha256', secret)
    .update(`agentlocator-handover:${callSid}:${canonical}`)
    .digest('base64url')
    .slice(0, 32);
}

export function isValidHandoverToken(
  secret: string,
  callSid: string,
  parameters: Readonly<Record<string, string>>,
  token: string | undefined,
): boolean {
  if (!token) return false;
  const expected = Buffer.from(handoverToken(secret, callSid, parameters));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
