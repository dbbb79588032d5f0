// The transfers table: one row per handed-off call. Handling a dial_status and accepting a whisper
// are conditional updates, so a retried callback or two agents pressing 1 at once act only once,
// on any instance, on SQLite and PostgreSQL alike.
import type { Selectable } from 'kysely';
import { AppError } from '../../errors.js';
import { toMs } from '../rows.js';
import type { TransfersTable } from '../schema.js';
import type {
  NewTransfer,
  TransferMember,
  TransferPatch,
  TransferRecord,
  TransferState,
} from '../transfer-store.js';
import { requireKey } from './db.js';
import type { Db } from './db.js';

const STATES: readonly TransferState[] = ['ringing', 'bridged', 'voicemail', 'ended'];

function attemptOf(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < -1 || value > 1000)
    throw new AppError('INTERNAL', `store: ${field} must be a whole number from -1 to 1000 (got ${value})`);
  return value;
}

function stateOf(value: string): TransferState {
  if (!STATES.includes(value as TransferState))
    throw new AppError('INTERNAL', `store: transfer state must be one of ${STATES.join(', ')}`);
  return value as TransferState;
}

function groupsOf(text: string): TransferMember[][] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as TransferMember[][]) : [];
  } catch {
    return [];
  }
}

function toTransfer(r: Selectable<TransfersTable>): TransferRecord {
  return {
    callSid: r.call_sid,
    state: stateOf(r.state),
    department: r.department,
    topic: r.topic,
    ringSeconds: Number(r.ring_seconds),
    groups: groupsOf(r.groups),
    noAnswerPrompt: r.no_answer_prompt,
    attempt: Number(r.attempt),
    handled: Number(r.handled),
    reply: r.reply,
    agentId: r.agent_id,
    voicemailReason: r.voicemail_reason,
    voicemailPrompt: r.voicemail_prompt,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
  };
}

export async function saveTransfer(db: Db, t: NewTransfer): Promise<void> {
  const at = toMs(t.at, 'at');
  const ringSeconds = t.ringSeconds;
  if (!Number.isSafeInteger(ringSeconds) || ringSeconds < 1 || ringSeconds > 600)
    throw new AppError('INTERNAL', `store: ringSeconds must be 1..600 (got ${ringSeconds})`);
  const row = {
    state: stateOf(t.state),
    department: t.department,
    topic: t.topic,
    ring_seconds: ringSeconds,
    groups: JSON.stringify(t.groups),
    no_answer_prompt: t.noAnswerPrompt,
    attempt: attemptOf(t.attempt, 'attempt'),
    handled: -1,
    reply: null,
    agent_id: null,
    voicemail_reason: t.voicemailReason,
    voicemail_prompt: t.voicemailPrompt,
    updated_at: at,
  };
  await db
    .insertInto('transfers')
    .values({ call_sid: requireKey(t.callSid, 'callSid'), created_at: at, ...row })
    .onConflict((oc) => oc.column('call_sid').doUpdateSet(row))
    .execute();
}

export async function getTransfer(db: Db, callSid: string): Promise<TransferRecord | undefined> {
  const row = await db
    .selectFrom('transfers')
    .selectAll()
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .executeTakeFirst();
  return row ? toTransfer(row) : undefined;
}

export async function takeDialStatus(db: Db, callSid: string, attempt: number, at: Date): Promise<boolean> {
  const n = attemptOf(attempt, 'attempt');
  const result = await db
    .updateTable('transfers')
    .set({ handled: n, reply: null, updated_at: toMs(at, 'at') })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .where('attempt', '=', n)
    .where('handled', '<', n)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateTransfer(db: Db, callSid: string, patch: TransferPatch, at: Date): Promise<void> {
  await db
    .updateTable('transfers')
    .set({
      updated_at: toMs(at, 'at'),
      ...(patch.state !== undefined ? { state: stateOf(patch.state) } : {}),
      ...(patch.agentId === null ? { agent_id: null } : {}),
      ...(patch.attempt !== undefined ? { attempt: attemptOf(patch.attempt, 'attempt') } : {}),
      ...(patch.reply !== undefined ? { reply: patch.reply } : {}),
      ...(patch.voicemailReason !== undefined ? { voicemail_reason: patch.voicemailReason } : {}),
      ...(patch.voicemailPrompt !== undefined ? { voicemail_prompt: patch.voicemailPrompt } : {}),
    })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .execute();
}

export async function acceptTransfer(
  db: Db,
  callSid: string,
  attempt: number,
  agentId: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('transfers')
    .set({ agent_id: requireKey(agentId, 'agentId'), state: 'bridged', updated_at: toMs(at, 'at') })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .where('attempt', '=', attemptOf(attempt, 'attempt'))
    .where('state', '=', 'ringing')
    .where('agent_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
