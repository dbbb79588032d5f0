// Leads: one per call. A second save merges its fields into the stored ones (later values win),
// by optimistic compare-and-swap on a revision counter, which is portable to both dialects and
// safe when two saves race.
import { AppError } from '../../errors.js';
import { fromJson, toInt, toJson, toLead, toMs } from '../rows.js';
import type { LeadInput, LeadRecord } from '../store.js';
import { requireKey } from './db.js';
import type { Db } from './db.js';

/** Each lost race means another save landed; this many in a row means something is wrong. */
const MAX_MERGE_ATTEMPTS = 50;

export async function saveLead(db: Db, lead: LeadInput): Promise<LeadRecord> {
  const callSid = requireKey(lead.callSid, 'callSid');
  const at = toMs(lead.at, 'at');
  const contactId = toInt(lead.contactId, 'contactId');
  if (lead.fields === null || typeof lead.fields !== 'object' || Array.isArray(lead.fields)) {
    throw new AppError('INTERNAL', 'store: lead fields must be an object');
  }
  const inserted = await db
    .insertInto('leads')
    .values({
      call_sid: callSid,
      contact_id: contactId,
      fields: toJson(lead.fields, 'fields'),
      status: 'new',
      revision: 0,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('call_sid').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return toLead(inserted);

  for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
    const current = await db
      .selectFrom('leads')
      .selectAll()
      .where('call_sid', '=', callSid)
      .executeTakeFirst();
    if (!current) throw new AppError('STORE_FAILED', `lead for call ${callSid} neither inserted nor found`);
    const merged = { ...fromJson(current.fields), ...lead.fields };
    const updated = await db
      .updateTable('leads')
      .set({
        fields: toJson(merged, 'fields'),
        contact_id: contactId ?? (current.contact_id === null ? null : Number(current.contact_id)),
        revision: current.revision + 1,
        updated_at: at,
      })
      .where('call_sid', '=', callSid)
      .where('revision', '=', current.revision)
      .returningAll()
      .executeTakeFirst();
    if (updated) return toLead(updated);
  }
  throw new AppError('STORE_FAILED', `lead for call ${callSid} kept changing; gave up merging`);
}

export async function getLeadForCall(db: Db, callSid: string): Promise<LeadRecord | undefined> {
  const row = await db.selectFrom('leads').selectAll().where('call_sid', '=', callSid).executeTakeFirst();
  return row && toLead(row);
}

/** Newest first. */
export async function listLeadsForContact(db: Db, contactId: number): Promise<LeadRecord[]> {
  const rows = await db
    .selectFrom('leads')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toLead);
}
