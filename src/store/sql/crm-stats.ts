// The numbers behind /stats: calls per local day by result, leads per day, the median completed
// call and stream errors by Twilio code. Days are counted per stretch of constant UTC offset, so
// a zone's DST change moves the day boundary with it; test calls are left out throughout.
import { sql } from 'kysely';
import type { CallResult, CallStats, DayCounts, OffsetSegment } from '../crm-store.js';
import { toMs } from '../rows.js';
import type { Db } from './db.js';
import { callResultSql } from './crm-calls.js';

const DAY_MS = 86_400_000;

function emptyDay(day: number): DayCounts {
  return { day, calls: 0, live: 0, answered: 0, transferred: 0, voicemail: 0, abandoned: 0, leads: 0 };
}

async function countSegment(
  db: Db,
  days: Map<number, DayCounts>,
  from: number,
  to: number,
  offsetMs: number,
) {
  const off = sql.lit(Math.trunc(offsetMs));
  const calls = await sql<{ day: number | string; result: CallResult; n: number | string }>`
    select day, result, count(*) as n from (
      select cast((c.started_at + ${off}) / ${sql.lit(DAY_MS)} as integer) as day, ${callResultSql} as result
      from calls c
      where c.started_at >= ${from} and c.started_at < ${to} and c.is_test = 0
    ) x group by day, result`.execute(db);
  const leads = await sql<{ day: number | string; n: number | string }>`
    select day, count(*) as n from (
      select cast((l.created_at + ${off}) / ${sql.lit(DAY_MS)} as integer) as day
      from leads l left join calls c on c.call_sid = l.call_sid
      where l.created_at >= ${from} and l.created_at < ${to} and coalesce(c.is_test, 0) = 0
    ) x group by day`.execute(db);
  const dayOf = (d: number | string) => {
    const day = Number(d);
    let counts = days.get(day);
    if (!counts) days.set(day, (counts = emptyDay(day)));
    return counts;
  };
  for (const r of calls.rows) {
    const counts = dayOf(r.day);
    counts.calls += Number(r.n);
    counts[r.result] += Number(r.n);
  }
  for (const r of leads.rows) dayOf(r.day).leads += Number(r.n);
}

async function medianDuration(db: Db, from: number, to: number): Promise<number | null> {
  const completed = () =>
    db
      .selectFrom('calls')
      .where('status', '=', 'completed')
      .where('duration_sec', 'is not', null)
      .where('is_test', '=', 0)
      .where('started_at', '>=', from)
      .where('started_at', '<', to);
  const counted = await completed()
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  const n = Number(counted.n);
  if (n === 0) return null;
  const middle = await completed()
    .select('duration_sec')
    .orderBy('duration_sec')
    .limit(n % 2 === 1 ? 1 : 2)
    .offset(n % 2 === 1 ? (n - 1) / 2 : n / 2 - 1)
    .execute();
  const values = middle.map((r) => Number(r.duration_sec));
  return values.reduce((a, b) => a + b, 0) / values.length;
}

async function streamErrors(db: Db, from: number, to: number): Promise<CallStats['streamErrors']> {
  const rows = await db
    .selectFrom('call_events as e')
    .leftJoin('calls as c', 'c.call_sid', 'e.call_sid')
    .where('e.kind', '=', 'stream-error')
    .where('e.at', '>=', from)
    .where('e.at', '<', to)
    .where(sql<boolean>`coalesce(c.is_test, 0) = 0`)
    .groupBy('e.twilio_code')
    .select(['e.twilio_code as code', (eb) => eb.fn.countAll<number | string>().as('n')])
    .execute();
  return rows
    .map((r) => ({ code: r.code === null ? null : Number(r.code), count: Number(r.n) }))
    .sort((a, b) => b.count - a.count || (a.code ?? 0) - (b.code ?? 0));
}

export async function callStats(
  db: Db,
  range: { from: Date; to: Date; segments: OffsetSegment[] },
): Promise<CallStats> {
  const from = toMs(range.from, 'from');
  const to = toMs(range.to, 'to');
  const days = new Map<number, DayCounts>();
  for (const segment of range.segments) {
    const a = Math.max(from, toMs(segment.from, 'segment.from'));
    const b = Math.min(to, toMs(segment.to, 'segment.to'));
    if (a < b) await countSegment(db, days, a, b, segment.offsetMs);
  }
  return {
    days: [...days.values()].sort((x, y) => x.day - y.day),
    medianDurationSec: await medianDuration(db, from, to),
    streamErrors: await streamErrors(db, from, to),
  };
}
