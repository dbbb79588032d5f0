// Calls: idempotent creation, the monotonic status machine, the single-use stream claim and the
// per-call fields written after the fact. Every state change is one conditional UPDATE, so
// concurrent callbacks are ordered by the database, not by the process that sent them.
import { sql } from 'kysely';
import { AppError } from '../../errors.js';
import { NON_TERMINAL_STATUSES, isCallStatus, isTerminalStatus } from '../../twilio/call-status.js';
import { statusesBefore } from '../call-status.js';
import { contactPhoneFor } from '../phone.js';
import { cleanText, toCall, toInt, toMs } from '../rows.js';
import type { CallRecord, StartCallInput, StatusResult, StatusUpdate } from '../store.js';
import { upsertContact } from './contacts.js';
import { clampLimit, requireKey } from './db.js';
import type { Db } from './db.js';

export async function getCall(db: Db, callSid: string): Promise<CallRecord | undefined> {
  const row = await db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirst();
  return row && toCall(row);
}

export async function startCall(
  db: Db,
  input: StartCallInput,
): Promise<{ call: CallRecord; created: boolean }> {
  const callSid = requireKey(input.callSid, 'callSid');
  const status = input.status ?? 'ringing';
  if (!isCallStatus(status)) throw new AppError('INTERNAL', `store: unknown call status ${String(status)}`);
  const startedAt = toMs(input.at, 'at');

  // A retried webhook is the common duplicate: answer it without touching contacts.
  const existing = await getCall(db, callSid);
  if (existing) return { call: existing, created: false };

  const phone = contactPhoneFor(input.fromNumber);
  const contact = phone === null ? null : await upsertContact(db, phone, input.at);
  const inserted = await db
    .insertInto('calls')
    .values({
      call_sid: callSid,
      account_sid: cleanText(input.accountSid),
      from_number: cleanText(input.fromNumber),
      to_number: cleanText(input.toNumber),
      contact_id: contact?.id ?? null,
      direction: cleanText(input.direction),
      status,
      status_seq: -1,
      started_at: startedAt,
      // An outbound or bridged call can be recorded already answered.
      answered_at: status === 'in-progress' ? startedAt : null,
    })
    .onConflict((oc) => oc.column('call_sid').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { call: toCall(inserted), created: true };

  // A concurrent duplicate won the insert; its row is committed, return it.
  const winner = await getCall(db, callSid);
  if (!winner) throw new AppError('STORE_FAILED', `call ${callSid} neither inserted nor found`);
  return { call: winner, created: false };
}

export async function listCalls(db: Db, opts: { limit?: number; before?: Date } = {}): Promise<CallRecord[]> {
  let query = db
    .selectFrom('calls')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('call_sid', 'desc')
    .limit(clampLimit(opts.limit, 50, 500));
  if (opts.before !== undefined) query = query.where('started_at', '<', toMs(opts.before, 'before'));
  return (await query.execute()).map(toCall);
}

export async function listCallsForContact(db: Db, contactId: number, limit?: number): Promise<CallRecord[]> {
  const rows = await db
    .selectFrom('calls')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('started_at', 'desc')
    .orderBy('call_sid', 'desc')
    .limit(clampLimit(limit, 20, 500))
    .execute();
  return rows.map(toCall);
}

/**
 * Moves a call forward or reports why not. The WHERE clause is the whole state machine: the
 * current status must rank strictly below the new one (so duplicates, late callbacks and
 * anything after a terminal status are stale), and a SequenceNumber, when given, must exceed the
 * highest one applied. Rank is checked even with sequence numbers, because a status set without
 * one (by startCall) has seq -1 and must not be overtaken by an older callback.
 */
export async function applyCallStatus(db: Db, update: StatusUpdate): Promise<StatusResult> {
  const callSid = requireKey(update.callSid, 'callSid');
  if (!isCallStatus(update.status))
    throw new AppError('INTERNAL', `store: unknown call status ${String(update.status)}`);
  const at = toMs(update.at, 'at');
  const seq = toInt(update.sequenceNumber, 'sequenceNumber');
  const durationSec = toInt(update.durationSec, 'durationSec');
  const from = statusesBefore(update.status);

  if (from.length > 0) {
    const terminal = isTerminalStatus(update.status);
    // Without Twilio's CallDuration: answered time if known; 0 for calls never answered, except
    // `completed`, which implies an answer we missed, so its length is unknown.
    const fallback = update.status === 'completed' ? sql`null` : sql`0`;
    const computed = sql<
      number | null
    >`case when answered_at is null then ${fallback} when answered_at > ${at} then 0 else cast((${at} - answered_at) / 1000 as integer) end`;
    let query = db
      .updateTable('calls')
      .set({
        status: update.status,
        ...(seq === null ? {} : { status_seq: seq }),
        ...(update.status === 'in-progress'
          ? { answered_at: sql<number>`coalesce(answered_at, ${at})` }
          : {}),
        ...(terminal ? { ended_at: at, duration_sec: durationSec ?? computed } : {}),
      })
      .where('call_sid', '=', callSid)
      .where('status', 'in', from);
    if (seq !== null) query = query.where('status_seq', '<', seq);
    const result = await query.executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) return 'applied';
  }

  const exists = await db
    .selectFrom('calls')
    .select('call_sid')
    .where('call_sid', '=', callSid)
    .executeTakeFirst();
  return exists ? 'stale' : 'unknown';
}

/** True only for the first claim of a known call that has not ended. */
export async function claimStream(db: Db, callSid: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('calls')
    .set({ stream_claimed_at: toMs(at, 'at') })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .where('stream_claimed_at', 'is', null)
    .where('status', 'in', NON_TERMINAL_STATUSES)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setCallText(
  db: Db,
  callSid: string,
  column: 'outcome' | 'summary',
  value: string,
): Promise<void> {
  await db
    .updateTable('calls')
    .set({ [column]: cleanText(value) })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .execute();
}
