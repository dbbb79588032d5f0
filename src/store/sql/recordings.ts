// Recordings: one row per RecordingSid, filled in by successive callbacks without ever losing a
// value a previous callback supplied.
import { sql } from 'kysely';
import { AppError } from '../../errors.js';
import { cleanText, toInt, toMs, toRecording } from '../rows.js';
import type { RecordingInput, RecordingRecord } from '../store.js';
import { requireKey } from './db.js';
import type { Db } from './db.js';

/** Twilio's final RecordingStatus values; a late `in-progress` must not overwrite one. */
const FINAL = sql.raw(`'completed', 'absent', 'failed', 'deleted'`);

export async function upsertRecording(db: Db, rec: RecordingInput): Promise<void> {
  const at = toMs(rec.at, 'at');
  const durationSec = toInt(rec.durationSec, 'durationSec');
  if (durationSec !== null && durationSec < 0)
    throw new AppError('INTERNAL', 'store: durationSec must be >= 0');
  await db
    .insertInto('recordings')
    .values({
      recording_sid: requireKey(rec.recordingSid, 'recordingSid'),
      call_sid: requireKey(rec.callSid, 'callSid'),
      url: cleanText(rec.url),
      duration_sec: durationSec,
      status: cleanText(rec.status),
      source: requireKey(rec.source, 'source'),
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.column('recording_sid').doUpdateSet({
        // A later callback fills gaps and corrects values, but a null never erases a known one.
        url: sql<string | null>`coalesce(excluded.url, recordings.url)`,
        duration_sec: sql<number | null>`coalesce(excluded.duration_sec, recordings.duration_sec)`,
        status: sql<string | null>`case
          when excluded.status is null then recordings.status
          when recordings.status in (${FINAL}) and excluded.status not in (${FINAL}) then recordings.status
          else excluded.status end`,
        updated_at: sql<number>`case when excluded.updated_at > recordings.updated_at
          then excluded.updated_at else recordings.updated_at end`,
      }),
    )
    .execute();
}

export async function listRecordings(db: Db, callSid: string): Promise<RecordingRecord[]> {
  const rows = await db
    .selectFrom('recordings')
    .selectAll()
    .where('call_sid', '=', callSid)
    .orderBy('created_at')
    .orderBy('recording_sid')
    .execute();
  return rows.map(toRecording);
}
