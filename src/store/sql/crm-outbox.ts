// The webhook outbox: rows enqueued by an idempotent sweep over ended calls, leased to one sender
// at a time by compare-and-swap UPDATEs (portable to both dialects; on PostgreSQL a racing UPDATE
// re-checks the lease on the row it waited for), and settled only by the owner of the lease.
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { CompletedCallSweep, OutboxItem } from '../crm-store.js';
import { toMs } from '../rows.js';
import type { CrmOutboxTable } from '../schema.js';
import { TERMINAL_STATUSES } from '../../twilio/call-status.js';
import type { Db } from './db.js';

const TERMINAL = sql.raw([...TERMINAL_STATUSES].map((s) => `'${s}'`).join(', '));
const MAX_ERROR_LENGTH = 500;

const dateOrNull = (v: number | string | null) => (v === null ? null : new Date(Number(v)));

function toOutboxItem(r: Selectable<CrmOutboxTable>): OutboxItem {
  return {
    id: Number(r.id),
    eventKey: r.event_key,
    type: r.type,
    callSid: r.call_sid,
    payload: r.payload,
    attempts: Number(r.attempts),
    availableAt: new Date(Number(r.available_at)),
    leaseOwner: r.lease_owner,
    leaseUntil: dateOrNull(r.lease_until),
    deliveredAt: dateOrNull(r.delivered_at),
    failedAt: dateOrNull(r.failed_at),
    lastError: r.last_error,
    createdAt: new Date(Number(r.created_at)),
  };
}

export async function enqueueCompletedCalls(db: Db, sweep: CompletedCallSweep): Promise<number> {
  const now = toMs(sweep.now, 'now');
  // The NOT EXISTS keeps the common case quiet; ON CONFLICT settles two instances sweeping at once.
  const result = await sql`
    insert into crm_outbox (event_key, type, call_sid, attempts, available_at, created_at)
    select 'call.completed:' || c.call_sid, 'call.completed', c.call_sid, 0,
      cast(${now} as bigint), cast(${now} as bigint)
    from calls c
    where c.status in (${TERMINAL})
      and c.ended_at <= ${now - sweep.settleMs}
      and c.ended_at > ${now - sweep.lookbackMs}
      and (c.ended_at <= ${now - sweep.streamGraceMs}
        or not exists (select 1 from streams s where s.call_sid = c.call_sid and s.ended_at is null))
      and not exists (select 1 from crm_outbox o where o.event_key = 'call.completed:' || c.call_sid)
    on conflict (event_key) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function claimOutbox(
  db: Db,
  opts: { owner: string; now: Date; leaseMs: number; limit: number },
): Promise<OutboxItem[]> {
  const now = toMs(opts.now, 'now');
  const due = () =>
    db
      .updateTable('crm_outbox')
      .where('delivered_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('available_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]));
  const candidates = await db
    .selectFrom('crm_outbox')
    .select('id')
    .where('delivered_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('available_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .orderBy('available_at')
    .orderBy('id')
    .limit(opts.limit)
    .execute();
  const claimed: OutboxItem[] = [];
  for (const { id } of candidates) {
    const row = await due()
      .set({ lease_owner: opts.owner, lease_until: now + opts.leaseMs, attempts: sql<number>`attempts + 1` })
      .where('id', '=', Number(id))
      .returningAll()
      .executeTakeFirst();
    if (row) claimed.push(toOutboxItem(row));
  }
  return claimed;
}

export async function freezeOutboxPayload(db: Db, id: number, payload: string): Promise<string> {
  await db
    .updateTable('crm_outbox')
    .set({ payload })
    .where('id', '=', id)
    .where('payload', 'is', null)
    .execute();
  const row = await db
    .selectFrom('crm_outbox')
    .select('payload')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.payload ?? payload;
}

export async function markOutboxDelivered(db: Db, id: number, owner: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('crm_outbox')
    .set({ delivered_at: toMs(at, 'at'), lease_owner: null, lease_until: null, last_error: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markOutboxFailed(
  db: Db,
  id: number,
  owner: string,
  failure: { error: string; retryAt: Date | null; at: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('crm_outbox')
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

export async function getOutboxItem(db: Db, eventKey: string): Promise<OutboxItem | undefined> {
  const row = await db
    .selectFrom('crm_outbox')
    .selectAll()
    .where('event_key', '=', eventKey)
    .executeTakeFirst();
  return row && toOutboxItem(row);
}
