// The start frame's two checks before a call has an agent: its token (the incoming_call's, or a
// handover's, which signs every parameter) and the store's single-use claim of the call (moved
// from the old stream to this one for a handover).
import type { Config } from '../config.js';
import type { ResumeState } from '../agents/agent.js';
import type { Store } from '../store/store.js';
import { isValidHandoverToken, isValidStreamToken } from '../twilio/stream-token.js';
import { handoverOf, withoutHandover } from './handover.js';

export type StreamClaim =
  | {
      ok: true;
      /** The claim's value as stored: what a later handover compares against. */
      claimedAt: Date;
      /** The stream's parameters an agent sees (no token, no handover fields). */
      parameters: Record<string, string>;
      /** Set for a handed-over call. */
      handover: { resume: ResumeState | undefined } | undefined;
    }
  | { ok: false; code: 'STREAM_TOKEN_INVALID' | 'STORE_FAILED'; detail: string; err?: unknown };

export async function claimStart(
  deps: { authToken: string; config: Config; store: Store },
  start: { callSid: string; accountSid: string; customParameters: Readonly<Record<string, string>> },
): Promise<StreamClaim> {
  const { callSid, accountSid } = start;
  const { token, ...signed } = start.customParameters;
  const handover = handoverOf(signed);
  const tokenOk = handover
    ? !Number.isNaN(handover.claimedAt.getTime()) &&
      isValidHandoverToken(deps.authToken, callSid, signed, token)
    : isValidStreamToken(deps.authToken, callSid, token);
  if (!tokenOk)
    return { ok: false, code: 'STREAM_TOKEN_INVALID', detail: 'start carries no valid token for this call' };
  const expectedAccount = deps.config.twilioAccountSid;
  if (expectedAccount && accountSid !== expectedAccount)
    return { ok: false, code: 'STREAM_TOKEN_INVALID', detail: `start is for account ${accountSid}` };
  const now = new Date();
  // With the upgrade signature relaxed, only a call whose incoming_call was signed may stream.
  const signedOnly = deps.config.streamSignatureMode === 'log-only';
  let claimed: boolean;
  try {
    claimed = handover
      ? await deps.store.reclaimStream(callSid, handover.claimedAt, now, signedOnly)
      : signedOnly
        ? await deps.store.claimSignedStream(callSid, now)
        : await deps.store.claimStream(callSid, now);
  } catch (err) {
    return { ok: false, code: 'STORE_FAILED', detail: 'store unavailable', err };
  }
  if (!claimed) {
    const why = signedOnly
      ? ', the call is not live or its incoming_call was not signed'
      : ' or the call is not live';
    return { ok: false, code: 'STREAM_TOKEN_INVALID', detail: `token already used${why}` };
  }
  return {
    ok: true,
    // The store moves a handover's claim past the old one, even within one millisecond.
    claimedAt: handover ? new Date(Math.max(now.getTime(), handover.claimedAt.getTime() + 1)) : now,
    parameters: withoutHandover(signed),
    handover: handover ? { resume: handover.resume } : undefined,
  };
}
