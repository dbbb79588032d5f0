// Calls as the CRM lists them: filtered, newest first, keyset-paged on (started_at, call_sid), so
// a call inserted while someone pages is never shown twice nor makes another one skip; plus the
// per-call reads the detail view needs (streams, one recording) and the CRM's marks on a call.
import { sql } from 'kysely';
import type { Selectable, SqlBool } from 'kysely';
import type { CallCursor, CallFilter, CallResult, CrmCall, LeadStatus, Page } from '../crm-store.js';
import { toCall, toMs, toRecording, toStream } from '../rows.js';
import type { CallsTable, StoreDialect } from '../schema.js';
import { TERMINAL_STATUSES } from '../../twilio/call-status.js';
import type { RecordingRecord, StreamRecord } from '../store.js';
import { clampLimit, requireKey } from './db.js';
import type { Db } from './db.js';
import { likeMatch, textCondition } from './text-search.js';

const TERMINAL = sql.raw([...TERMINAL_STATUSES].map((s) => `'${s}'`).join(', '));

/** CallResult of the calls row aliased `c`, by the rule documented on CallResult. */
export const callResultSql = sql<CallResult>`case
  when c.status not in (${TERMINAL}) then 'live'
  when exists (select 1 from recordings r where r.call_sid = c.call_sid and r.source = 'voicemail') then 'voicemail'
  when c.outcome like 'transferred%' then 'transferred'
  when c.stream_claimed_at is not null then 'answered'
  else 'abandoned' end`;

type CrmCallRow = Selectable<CallsTable> & {
  contact_name: string | null;
  lead_id: number | string | null;
  lead_status: string | null;
  result: CallResult;
};

function toCrmCall(r: CrmCallRow): CrmCall {
  return {
    ...toCall(r),
    result: r.result,
    isTest: Number(r.is_test) === 1,
    agentId: r.agent_id,
    contactName: r.contact_name,
    leadId: r.lead_id === null ? null : Number(r.lead_id),
    leadStatus: r.lead_status as LeadStatus | null, // CHECK-constrained
  };
}

function crmCalls(db: Db) {
  return db
    .selectFrom('calls as c')
    .leftJoin('contacts as ct', 'ct.id', 'c.contact_id')
    .leftJoin('leads as l', 'l.call_sid', 'c.call_sid')
    .selectAll('c')
    .select([
      'ct.name as contact_name',
      'l.id as lead_id',
      'l.status as lead_status',
      callResultSql.as('result'),
    ]);
}

type CallQuery = ReturnType<typeof crmCalls>;

function filtered(query: CallQuery, dialect: StoreDialect, f: CallFilter): CallQuery {
  let q = query;
  if (f.from) q = q.where('c.started_at', '>=', toMs(f.from, 'from'));
  if (f.to) q = q.where('c.started_at', '<', toMs(f.to, 'to'));
  if (f.status) q = q.where('c.status', '=', f.status);
  if (f.result) q = q.where(sql<SqlBool>`${callResultSql} = ${f.result}`);
  if (f.agentId !== undefined) q = q.where('c.agent_id', '=', f.agentId);
  if (f.contactId !== undefined) q = q.where('c.contact_id', '=', f.contactId);
  if (f.direction) {
    const d = f.direction;
    q = q.where((eb) => eb.or([eb('c.direction', '=', d), eb('c.direction', 'like', `${d}-%`)]));
  }
  if (f.test !== undefined) q = q.where('c.is_test', '=', f.test ? 1 : 0);
  if (f.text) {
    const transcript = (pattern: string) => [
      sql<boolean>`exists (select 1 from transcript_turns t where t.call_sid = c.call_sid and ${likeMatch(
        dialect,
        sql.ref('t.text'),
        pattern,
      )})`,
    ];
    q = q.where(
      textCondition(
        dialect,
        f.text,
        [
          sql.ref('c.summary'),
          sql.ref('l.fields'),
          sql.ref('ct.name'),
          sql.ref('c.from_number'),
          sql.ref('c.to_number'),
        ],
        [sql.ref('c.from_number'), sql.ref('c.to_number')],
        transcript,
      ),
    );
  }
  return q;
}

export async function listCrmCalls(
  db: Db,
  dialect: StoreDialect,
  filter: CallFilter,
  page: { limit?: number; after?: CallCursor },
): Promise<Page<CrmCall, CallCursor>> {
  const limit = clampLimit(page.limit, 50, 200);
  let q = filtered(crmCalls(db), dialect, filter);
  if (page.after) {
    const t = toMs(page.after.startedAt, 'after.startedAt');
    const s = page.after.callSid;
    q = q.where((eb) =>
      eb.or([eb('c.started_at', '<', t), eb.and([eb('c.started_at', '=', t), eb('c.call_sid', '<', s)])]),
    );
  }
  const rows = await q
    .orderBy('c.started_at', 'desc')
    .orderBy('c.call_sid', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(toCrmCall);
  const last = items[items.length - 1];
  return {
    items,
    next: rows.length > limit && last ? { startedAt: last.startedAt, callSid: last.callSid } : null,
  };
}

export async function getCrmCall(db: Db, callSid: string): Promise<CrmCall | undefined> {
  const row = await crmCalls(db).where('c.call_sid', '=', callSid).executeTakeFirst();
  return row && toCrmCall(row);
}

export async function listStreams(db: Db, callSid: string): Promise<StreamRecord[]> {
  const rows = await db
    .selectFrom('streams')
    .selectAll()
    .where('call_sid', '=', callSid)
    .orderBy('started_at')
    .orderBy('stream_sid')
    .execute();
  return rows.map(toStream);
}

export async function getRecording(db: Db, recordingSid: string): Promise<RecordingRecord | undefined> {
  const row = await db
    .selectFrom('recordings')
    .selectAll()
    .where('recording_sid', '=', recordingSid)
    .executeTakeFirst();
  return row && toRecording(row);
}

export async function setCallMark(db: Db, callSid: string, mark: { is_test: number }): Promise<void> {
  await db.updateTable('calls').set(mark).where('call_sid', '=', requireKey(callSid, 'callSid')).execute();
}
