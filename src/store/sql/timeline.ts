// A call's timeline: events (deduplicated by key), media stream sessions and transcript turns.
import { AppError } from '../../errors.js';
import { cleanText, toCallEvent, toInt, toJson, toMs, toStream, toTranscriptTurn } from '../rows.js';
import type {
  CallEvent,
  CallEventInput,
  StreamClose,
  StreamOpen,
  StreamRecord,
  TranscriptTurn,
  TranscriptTurnInput,
} from '../store.js';
import { requireKey } from './db.js';
import type { Db } from './db.js';

export async function addCallEvent(db: Db, event: CallEventInput): Promise<boolean> {
  const dedupeKey = event.dedupeKey ?? null;
  const row = await db
    .insertInto('call_events')
    .values({
      call_sid: requireKey(event.callSid, 'callSid'),
      kind: requireKey(event.kind, 'kind'),
      name: requireKey(event.name, 'name'),
      twilio_code: toInt(event.twilioCode, 'twilioCode'),
      detail: event.detail == null ? null : toJson(event.detail, 'detail'),
      at: toMs(event.at, 'at'),
      dedupe_key: dedupeKey === null ? null : requireKey(dedupeKey, 'dedupeKey'),
    })
    // Only the dedupe key can collide; a duplicate is the expected retry, not an error.
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function listCallEvents(db: Db, callSid: string): Promise<CallEvent[]> {
  const rows = await db
    .selectFrom('call_events')
    .selectAll()
    .where('call_sid', '=', callSid)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map(toCallEvent);
}

/** Idempotent: a repeated open of the same streamSid keeps the first row. */
export async function openStream(db: Db, stream: StreamOpen): Promise<void> {
  await db
    .insertInto('streams')
    .values({
      stream_sid: requireKey(stream.streamSid, 'streamSid'),
      call_sid: requireKey(stream.callSid, 'callSid'),
      started_at: toMs(stream.startedAt, 'startedAt'),
      frames_in: 0,
      bytes_in: 0,
      frames_out: 0,
      bytes_out: 0,
      marks_out: 0,
      marks_acked: 0,
      bad_frames: 0,
    })
    .onConflict((oc) => oc.column('stream_sid').doNothing())
    .execute();
}

const count = (value: number, field: string): number => {
  const n = toInt(value, field);
  if (n === null || n < 0) throw new AppError('INTERNAL', `store: ${field} must be a count >= 0`);
  return n;
};

/** A stream closes once: the first close's figures stand, and an unknown streamSid is a no-op. */
export async function closeStream(db: Db, stream: StreamClose): Promise<void> {
  await db
    .updateTable('streams')
    .set({
      ended_at: toMs(stream.endedAt, 'endedAt'),
      frames_in: count(stream.framesIn, 'framesIn'),
      bytes_in: count(stream.bytesIn, 'bytesIn'),
      frames_out: count(stream.framesOut, 'framesOut'),
      bytes_out: count(stream.bytesOut, 'bytesOut'),
      marks_out: count(stream.marksOut, 'marksOut'),
      marks_acked: count(stream.marksAcked, 'marksAcked'),
      bad_frames: count(stream.badFrames, 'badFrames'),
      close_code: toInt(stream.closeCode, 'closeCode'),
      close_reason: cleanText(stream.closeReason),
    })
    .where('stream_sid', '=', requireKey(stream.streamSid, 'streamSid'))
    .where('ended_at', 'is', null)
    .execute();
}

export async function getStream(db: Db, streamSid: string): Promise<StreamRecord | undefined> {
  const row = await db
    .selectFrom('streams')
    .selectAll()
    .where('stream_sid', '=', streamSid)
    .executeTakeFirst();
  return row && toStream(row);
}

export async function addTranscriptTurn(db: Db, turn: TranscriptTurnInput): Promise<void> {
  if (turn.role !== 'caller' && turn.role !== 'agent') {
    throw new AppError(
      'INTERNAL',
      `store: transcript role must be caller or agent (got ${String(turn.role)})`,
    );
  }
  await db
    .insertInto('transcript_turns')
    .values({
      call_sid: requireKey(turn.callSid, 'callSid'),
      role: turn.role,
      text: cleanText(turn.text),
      start_ms: toInt(turn.startMs, 'startMs'),
      end_ms: toInt(turn.endMs, 'endMs'),
      at: toMs(turn.at, 'at'),
    })
    .execute();
}

/** In the order the turns happened (`at`), ties in the order they were stored. */
export async function listTranscript(db: Db, callSid: string): Promise<TranscriptTurn[]> {
  const rows = await db
    .selectFrom('transcript_turns')
    .selectAll()
    .where('call_sid', '=', callSid)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map(toTranscriptTurn);
}
