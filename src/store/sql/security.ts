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

/** Compare-and-swap on stream_claimed_at: the claim moves from the old stream to the new one. */
export async function reclaimStream(
  db: Db,
  callSid: string,
  previous: Date,
  at: Date,
  signedOnly: boolean,
): Promise<boolean> {
  const previousMs = toMs(previous, 'previous');
  // A later value than the old claim, even within one millisecond: the old token is spent.
  const next = Math.max(toMs(at, 'at'), previousMs + 1);
  let query = db
    .updateTable('calls')
    .set({ stream_claimed_at: next })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .where('stream_claimed_at', '=', previousMs)
    .where('status', 'in', NON_TERMINAL_STATUSES);
  if (signedOnly) query = query.where('webhook_signed', '=', 1);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
