// Agent legs: one row per agent rung for a call. A reservation is a conditional insert against a
// UNIQUE live key per line, so two instances can never both take an agent's last line; the same
// rows give round-robin its last offer, fewest-calls its answers today, and the call's agent.
import { AppError } from '../../errors.js';
import { toMs } from '../rows.js';
import type { AgentLeg, AgentLoad, ReserveAgentInput } from '../directory-store.js';
import { requireKey } from './db.js';
import type { Db } from './db.js';

/** Once an agent answers, the line is held until released, bounded by Twilio's longest call. */
const ANSWERED_HOLD_MS = 4 * 60 * 60 * 1000;
const MAX_LINES = 100;

const lineKey = (agentId: string, slot: number) => `${agentId}#${slot}`;
const callKey = (agentId: string, callSid: string) => `${agentId}#${callSid}`;

/** Frees the agent's lines whose holder vanished (never answered, never released in time). */
async function expireLegs(db: Db, agentId: string, at: number): Promise<void> {
  await db
    .updateTable('agent_legs')
    .set({ ended_at: at, outcome: 'expired', live_key: null, live_call_key: null })
    .where('agent_id', '=', agentId)
    .where('ended_at', 'is', null)
    .where('expires_at', '<=', at)
    .execute();
}

async function holdsAgent(db: Db, agentId: string, callSid: string): Promise<boolean> {
  const row = await db
    .selectFrom('agent_legs')
    .select('id')
    .where('live_call_key', '=', callKey(agentId, callSid))
    .executeTakeFirst();
  return row !== undefined;
}

export async function reserveAgent(db: Db, input: ReserveAgentInput): Promise<boolean> {
  const agentId = requireKey(input.agentId, 'agentId');
  const callSid = requireKey(input.callSid, 'callSid');
  const at = toMs(input.at, 'at');
  if (!Number.isSafeInteger(input.maxCalls) || input.maxCalls < 1 || input.maxCalls > MAX_LINES)
    throw new AppError('INTERNAL', `store: maxCalls must be 1..${MAX_LINES} (got ${input.maxCalls})`);
  if (!Number.isFinite(input.holdMs) || input.holdMs <= 0)
    throw new AppError('INTERNAL', 'store: holdMs must be a positive number');
  await expireLegs(db, agentId, at);
  if (await holdsAgent(db, agentId, callSid)) return true;
  for (let slot = 0; slot < input.maxCalls; slot++) {
    // The UNIQUE live keys are the lock: a taken line (or this call already holding the agent)
    // makes the insert a no-op, on SQLite and PostgreSQL alike, whichever instance races.
    const inserted = await db
      .insertInto('agent_legs')
      .values({
        agent_id: agentId,
        call_sid: callSid,
        slot,
        reserved_at: at,
        expires_at: at + Math.round(input.holdMs),
        live_key: lineKey(agentId, slot),
        live_call_key: callKey(agentId, callSid),
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return true;
    if (await holdsAgent(db, agentId, callSid)) return true;
  }
  return false;
}

export async function releaseAgent(
  db: Db,
  callSid: string,
  opts: { agentId?: string; outcome: string; at: Date },
): Promise<number> {
  let query = db
    .updateTable('agent_legs')
    .set({ ended_at: toMs(opts.at, 'at'), outcome: opts.outcome, live_key: null, live_call_key: null })
    .where('call_sid', '=', requireKey(callSid, 'callSid'))
    .where('ended_at', 'is', null);
  if (opts.agentId !== undefined) query = query.where('agent_id', '=', opts.agentId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function markAgentAnswered(
  db: Db,
  callSid: string,
  agentId: string,
  at: Date,
): Promise<boolean> {
  const ms = toMs(at, 'at');
  const leg = await db
    .updateTable('agent_legs')
    .set({ answered_at: ms, expires_at: ms + ANSWERED_HOLD_MS, outcome: 'answered' })
    .where('live_call_key', '=', callKey(requireKey(agentId, 'agentId'), requireKey(callSid, 'callSid')))
    .executeTakeFirst();
  await db.updateTable('calls').set({ agent_id: agentId }).where('call_sid', '=', callSid).execute();
  return Number(leg.numUpdatedRows) > 0;
}

export async function agentLoads(
  db: Db,
  opts: { answeredSince: Date; at: Date },
): Promise<Map<string, AgentLoad>> {
  const at = toMs(opts.at, 'at');
  const since = toMs(opts.answeredSince, 'answeredSince');
  const [live, offered, answered] = await Promise.all([
    db
      .selectFrom('agent_legs')
      .select((eb) => ['agent_id', eb.fn.countAll().as('n')])
      .where('ended_at', 'is', null)
      .where('expires_at', '>', at)
      .groupBy('agent_id')
      .execute(),
    db
      .selectFrom('agent_legs')
      .select((eb) => ['agent_id', eb.fn.max('reserved_at').as('last')])
      .groupBy('agent_id')
      .execute(),
    db
      .selectFrom('agent_legs')
      .select((eb) => ['agent_id', eb.fn.countAll().as('n')])
      .where('answered_at', '>=', since)
      .groupBy('agent_id')
      .execute(),
  ]);
  const loads = new Map<string, AgentLoad>();
  const load = (id: string) => {
    let l = loads.get(id);
    if (!l) loads.set(id, (l = { live: 0, lastOfferedAt: null, answered: 0 }));
    return l;
  };
  for (const r of offered) load(r.agent_id).lastOfferedAt = r.last === null ? null : new Date(Number(r.last));
  for (const r of live) load(r.agent_id).live = Number(r.n);
  for (const r of answered) load(r.agent_id).answered = Number(r.n);
  return loads;
}

export async function listAgentLegs(db: Db, callSid: string): Promise<AgentLeg[]> {
  const rows = await db
    .selectFrom('agent_legs')
    .selectAll()
    .where('call_sid', '=', callSid)
    .orderBy('reserved_at')
    .orderBy('id')
    .execute();
  const dateOrNull = (v: number | string | null) => (v === null ? null : new Date(Number(v)));
  return rows.map((r) => ({
    id: Number(r.id),
    agentId: r.agent_id,
    callSid: r.call_sid,
    reservedAt: new Date(Number(r.reserved_at)),
    answeredAt: dateOrNull(r.answered_at),
    endedAt: dateOrNull(r.ended_at),
    outcome: r.outcome,
  }));
}

export async function getCallAgent(db: Db, callSid: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('calls')
    .select('agent_id')
    .where('call_sid', '=', callSid)
    .executeTakeFirst();
  return row?.agent_id ?? undefined;
}

export async function lastAgentForPhone(db: Db, phone: string, since: Date): Promise<string | undefined> {
  const row = await db
    .selectFrom('calls')
    .innerJoin('contacts', 'contacts.id', 'calls.contact_id')
    .select('calls.agent_id')
    .where('contacts.phone', '=', phone)
    .where('calls.agent_id', 'is not', null)
    .where('calls.started_at', '>=', toMs(since, 'since'))
    .orderBy('calls.started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.agent_id ?? undefined;
}
