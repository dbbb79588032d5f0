// Whether this call's caller ID is verified, as the incoming_call webhook found it and passed to
// the stream as a <Parameter>: only STIR/SHAKEN full attestation counts. Anything that reveals a
// caller's history is for verified callers only; anyone can send any caller ID.
import type { CallInfo } from './agent.js';

/** The Stream <Parameter> that carries the verification; its only value is VERIFIED_BY_STIR_A. */
export const CALLER_VERIFIED_PARAMETER = 'caller_verified';
export const VERIFIED_BY_STIR_A = 'stir-a';

export function isCallerVerified(call: Pick<CallInfo, 'customParameters'>): boolean {
  return call.customParameters[CALLER_VERIFIED_PARAMETER] === VERIFIED_BY_STIR_A;
}
