// The jobs table: a sweep (idempotent INSERT … SELECT on a unique job key, portable to both
// dialects) enqueues what is due; workers lease jobs by compare-and-swap UPDATEs like the webhook
// outbox does, and only the owner of a lease settles its job.
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { JobItem, JobKind, JobSweep, RecordingTranscript } from '../job-store.js';
import { AppError } from '../../errors.js';
import { cleanText, toInt, toMs } from '../rows.js';
import type { JobsTable } from '../schema.js';
import { TERMINAL_STATUSES } from '../../twilio/call-status.js';
import { requireKey, type Db } from './db.js';

const TERMINAL = sql.raw([...TERMINAL_STATUSES].map((s) => `'${s}'`).join(', '));
/** What a transcription is made of: Twilio voicemails once completed, the flow's answer clips. */
const TRANSCRIBED = sql.raw(`'voicemail', 'answer'`);
/** Final voicemail states with nothing to transcribe: they hold no analysis back. */
const NO_AUDIO = sql.raw(`'absent', 'failed', 'deleted'`);
const MAX_ERROR_LENGTH = 500;

const dateOrNull = (v: number | string | null) => (v === null ? null : new Date(Number(v)));

function toJob(r: Selectable<JobsTable>): JobItem {
  return {
    id: Number(r.id),
    jobKey: r.job_key,
    kind: r.kind as JobKind,
    callSid: r.call_sid,
    recordingSid: r.recording_sid,
    attempts: Number(r.attempts),
    availableAt: new Date(Number(r.available_at)),
    leaseOwner: r.lease_owner,
    leaseUntil: dateOrNull(r.lease_until),
    doneAt: dateOrNull(r.done_at),
    failedAt: dateOrNull(r.failed_at),
    lastError: r.last_error,
    createdAt: new Date(Number(r.created_at)),
  };
}

export async function enqueueDueJobs(db: Db, sweep: JobSweep): Promise<number> {
  const now = toMs(sweep.now, 'now');
  const since = now - sweep.lookbackMs;
  let added = 0;
  if (sweep.transcribe) {
    // The NOT EXISTS keeps the common case quiet; ON CONFLICT settles two instances sweeping at once.
    const r = await sql`
      insert into jobs (job_key, kind, call_sid, recording_sid, attempts, available_at, created_at)
      select 'transcribe:' || r.recording_sid, 'transcribe', r.call_sid, r.recording_sid, 0,
        cast(${now} as bigint), cast(${now} as bigint)
      from recordings r
      where r.created_at > ${since}
        and r.url is not null and r.transcript is null
        and (r.source = 'answer' or (r.source = 'voicemail' and r.status = 'completed'))
        and not exists (select 1 from jobs j where j.job_key = 'transcribe:' || r.recording_sid)
      on conflict (job_key) do nothing`.execute(db);
    added += Number(r.numAffectedRows ?? 0);
  }
  if (sweep.analyze) {
    // Analysed once every clip has its text (or its transcription failed for good) and no
    // transcription of the call is still running, so a voicemail whose completed callback comes
    // after the call's end is waited for.
    const r = await sql`
      insert into jobs (job_key, kind, call_sid, recording_sid, attempts, available_at, created_at)
      select 'analyze:' || c.call_sid, 'analyze', c.call_sid, null, 0,
        cast(${now} as bigint), cast(${now} as bigint)
      from calls c
      where c.status in (${TERMINAL})
        and c.ended_at <= ${now - sweep.settleMs}
        and c.ended_at > ${since}
        and c.summary is null
        and exists (select 1 from recordings r where r.call_sid = c.call_sid
          and r.source in (${TRANSCRIBED}) and r.transcript is not null)
        and not exists (select 1 from recordings r where r.call_sid = c.call_sid
          and r.source in (${TRANSCRIBED}) and r.transcript is null
          and (r.source = 'answer' or r.status is null or r.status not in (${NO_AUDIO}))
          and not exists (select 1 from jobs t
            where t.job_key = 'transcribe:' || r.recording_sid and t.failed_at is not null))
        and not exists (select 1 from jobs t where t.call_sid = c.call_sid and t.kind = 'transcribe'
          and t.done_at is null and t.failed_at is null)
        and not exists (select 1 from jobs j where j.job_key = 'analyze:' || c.call_sid)
      on conflict (job_key) do nothing`.execute(db);
    added += Number(r.numAffectedRows ?? 0);
  }
  return added;
}

export async function claimJobs(
  db: Db,
  opts: { owner: string; now: Date; leaseMs: number; limit: number; kinds: readonly JobKind[] },
): Promise<JobItem[]> {
  if (opts.kinds.length === 0 || opts.limit < 1) return [];
  const now = toMs(opts.now, 'now');
  const candidates = await db
    .selectFrom('jobs')
    .select('id')
    .where('done_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('available_at', '<=', now)
    .where('kind', 'in', [...opts.kinds])
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .orderBy('available_at')
    .orderBy('id')
    .limit(opts.limit)
    .execute();
  const claimed: JobItem[] = [];
  for (const { id } of candidates) {
    // Re-checked on the row: of two instances racing for it, one UPDATE matches.
    const row = await db
      .updateTable('jobs')
      .set({ lease_owner: opts.owner, lease_until: now + opts.leaseMs, attempts: sql<number>`attempts + 1` })
      .where('id', '=', Number(id))
      .where('done_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('available_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .returningAll()
      .executeTakeFirst();
    if (row) claimed.push(toJob(row));
  }
  return claimed;
}

export async function markJobDone(db: Db, id: number, owner: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ done_at: toMs(at, 'at'), lease_owner: null, lease_until: null, last_error: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markJobFailed(
  db: Db,
  id: number,
  owner: string,
  failure: { error: string; retryAt: Date | null; at: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({
      lease_owner: null,
      lease_until: null,
      last_error: failure.error.slice(0, MAX_ERROR_LENGTH),
      ...(failure.retryAt
        ? { available_at: toMs(failure.retryAt, 'retryAt') }
        : { failed_at: toMs(failure.at, 'at') }),
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function getJob(db: Db, jobKey: string): Promise<JobItem | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('job_key', '=', jobKey).executeTakeFirst();
  return row && toJob(row);
}

export async function listJobsForCall(db: Db, callSid: string): Promise<JobItem[]> {
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .where('call_sid', '=', callSid)
    .orderBy('id')
    .execute();
  return rows.map(toJob);
}

export async function saveRecordingTranscript(db: Db, t: RecordingTranscript): Promise<boolean> {
  const recordingSid = requireKey(t.recordingSid, 'recordingSid');
  // Silence transcribes to '': kept as such (done, nothing said), and it makes no turn.
  const text = cleanText(t.text).trim();
  const result = await db
    .updateTable('recordings')
    .set({ transcript: text, transcribed_at: toMs(t.at, 'at') })
    .where('recording_sid', '=', recordingSid)
    .where('transcript', 'is', null)
    .executeTakeFirst();
  if (t.turn) {
    const turn = t.turn;
    if (turn.role !== 'caller' && turn.role !== 'agent')
      throw new AppError(
        'INTERNAL',
        `store: transcript role must be caller or agent (got ${String(turn.role)})`,
      );
    // The stored text, whoever stored it: the turn always says what the recording says.
    await sql`
      insert into transcript_turns (call_sid, role, text, start_ms, end_ms, at, source_key)
      select ${requireKey(turn.callSid, 'callSid')}, ${turn.role}, r.transcript,
        ${toInt(turn.startMs, 'startMs')}, ${toInt(turn.endMs, 'endMs')}, cast(${toMs(turn.at, 'at')} as bigint),
        ${`recording:${recordingSid}`}
      from recordings r
      where r.recording_sid = ${recordingSid} and r.transcript is not null and r.transcript <> ''
      on conflict (source_key) do nothing`.execute(db);
  }
  return Number(result.numUpdatedRows) === 1;
}

export async function setCallSummaryIfEmpty(db: Db, callSid: string, summary: string): Promise<boolean> {
  const result = await db
    .updateTable('calls')
    .set({ summary: cleanText(summary) })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .where('summary', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
