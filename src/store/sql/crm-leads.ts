// Leads as the CRM works them: listed newest first (keyset on created_at, id) with their contact,
// and moved through the pipeline. A patch bumps the revision in the same UPDATE, so a saveLead
// merge racing it retries on the new row instead of writing over the patch.
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { CrmLead, LeadCursor, LeadFilter, LeadPatch, LeadStatus, Page } from '../crm-store.js';
import { cleanText, toLead, toMs } from '../rows.js';
import type { LeadsTable, StoreDialect } from '../schema.js';
import { clampLimit } from './db.js';
import type { Db } from './db.js';
import { textCondition } from './text-search.js';

type CrmLeadRow = Selectable<LeadsTable> & { contact_phone: string | null; contact_name: string | null };

function toCrmLead(r: CrmLeadRow): CrmLead {
  return {
    ...toLead(r),
    status: r.status as LeadStatus, // CHECK-constrained
    assignee: r.assignee,
    notes: r.notes,
    contactPhone: r.contact_phone,
    contactName: r.contact_name,
  };
}

function crmLeads(db: Db) {
  return db
    .selectFrom('leads as l')
    .leftJoin('contacts as ct', 'ct.id', 'l.contact_id')
    .selectAll('l')
    .select(['ct.phone as contact_phone', 'ct.name as contact_name']);
}

export async function listLeads(
  db: Db,
  dialect: StoreDialect,
  f: LeadFilter,
  page: { limit?: number; after?: LeadCursor },
): Promise<Page<CrmLead, LeadCursor>> {
  const limit = clampLimit(page.limit, 50, 200);
  let q = crmLeads(db);
  if (f.status) q = q.where('l.status', '=', f.status);
  if (f.assignee !== undefined) q = q.where('l.assignee', '=', f.assignee);
  if (f.contactId !== undefined) q = q.where('l.contact_id', '=', f.contactId);
  if (f.from) q = q.where('l.created_at', '>=', toMs(f.from, 'from'));
  if (f.to) q = q.where('l.created_at', '<', toMs(f.to, 'to'));
  if (f.text) {
    q = q.where(
      textCondition(
        dialect,
        f.text,
        [sql.ref('l.fields'), sql.ref('l.notes'), sql.ref('ct.name'), sql.ref('ct.phone')],
        [sql.ref('ct.phone')],
      ),
    );
  }
  if (page.after) {
    const t = toMs(page.after.createdAt, 'after.createdAt');
    const id = page.after.id;
    q = q.where((eb) =>
      eb.or([eb('l.created_at', '<', t), eb.and([eb('l.created_at', '=', t), eb('l.id', '<', id)])]),
    );
  }
  const rows = await q
    .orderBy('l.created_at', 'desc')
    .orderBy('l.id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(toCrmLead);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

export async function getCrmLead(db: Db, id: number): Promise<CrmLead | undefined> {
  const row = await crmLeads(db).where('l.id', '=', id).executeTakeFirst();
  return row && toCrmLead(row);
}

export async function patchLead(
  db: Db,
  id: number,
  patch: LeadPatch,
  at: Date,
): Promise<CrmLead | undefined> {
  const set = {
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.assignee !== undefined ? { assignee: cleanText(patch.assignee) } : {}),
    ...(patch.notes !== undefined ? { notes: cleanText(patch.notes) } : {}),
  };
  if (Object.keys(set).length > 0) {
    await db
      .updateTable('leads')
      .set({ ...set, revision: sql<number>`revision + 1`, updated_at: toMs(at, 'at') })
      .where('id', '=', id)
      .execute();
  }
  return getCrmLead(db, id);
}
