// The security columns of calls (0005_security): the incoming_call signature mark and the stream
// claim that requires it. Both are one conditional UPDATE, like every other state change.
import { NON_TERMINAL_STATUSES } from '../../twilio/call-status.js';
import { toMs } from '../rows.js';
import { requireKey } from './db.js';
import type { Db } from './db.js';

export async function markCallSigned(db: Db, callSid: string): Promise<void> {
  await db
    .updateTable('calls')
    .set({ webhook_signed: 1 })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .where('webhook_signed', '=', 0)
    .execute();
}

/** The same single-use claim as calls.claimStream, and only for a call whose webhook was signed. */
export async function claimSignedStream(db: Db, callSid: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('calls')
    .set({ stream_claimed_at: toMs(at, 'at') })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .where('stream_claimed_at', 'is', null)
    .where('status', 'in', NON_TERMINAL_STATUSES)
    .where('webhook_signed', '=', 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
