// Contacts as the CRM shows them: with notes, tags, how often and when they last called; listed
// newest first (keyset on id) and edited field by field.
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { ContactFilter, ContactPatch, CrmContact, Page } from '../crm-store.js';
import { cleanText, toContact } from '../rows.js';
import type { ContactsTable, StoreDialect } from '../schema.js';
import { clampLimit } from './db.js';
import type { Db } from './db.js';
import { likeMatch, likePattern, textCondition } from './text-search.js';

type CrmContactRow = Selectable<ContactsTable> & {
  call_count: number | string;
  last_call_at: number | string | null;
};

/** Tags are a JSON array of strings; anything else in the cell reads as no tags. */
function parseTags(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

function toCrmContact(r: CrmContactRow): CrmContact {
  return {
    ...toContact(r),
    notes: r.notes,
    tags: parseTags(r.tags),
    callCount: Number(r.call_count),
    lastCallAt: r.last_call_at === null ? null : new Date(Number(r.last_call_at)),
  };
}

function crmContacts(db: Db) {
  return db
    .selectFrom('contacts as ct')
    .selectAll('ct')
    .select([
      sql<number | string>`(select count(*) from calls c where c.contact_id = ct.id)`.as('call_count'),
      sql<number | string | null>`(select max(c.started_at) from calls c where c.contact_id = ct.id)`.as(
        'last_call_at',
      ),
    ]);
}

export async function listContacts(
  db: Db,
  dialect: StoreDialect,
  filter: ContactFilter,
  page: { limit?: number; after?: number },
): Promise<Page<CrmContact, number>> {
  const limit = clampLimit(page.limit, 50, 200);
  let q = crmContacts(db);
  if (filter.text) {
    q = q.where(
      textCondition(
        dialect,
        filter.text,
        [sql.ref('ct.name'), sql.ref('ct.notes'), sql.ref('ct.phone')],
        [sql.ref('ct.phone')],
      ),
    );
  }
  // Tags are stored as JSON, so a tag appears in the cell exactly as JSON.stringify writes it.
  if (filter.tag)
    q = q.where(likeMatch(dialect, sql.ref('ct.tags'), likePattern(JSON.stringify(filter.tag))));
  if (page.after !== undefined) q = q.where('ct.id', '<', page.after);
  const rows = await q
    .orderBy('ct.id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(toCrmContact);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? last.id : null };
}

export async function getCrmContact(db: Db, id: number): Promise<CrmContact | undefined> {
  const row = await crmContacts(db).where('ct.id', '=', id).executeTakeFirst();
  return row && toCrmContact(row);
}

export async function patchContact(db: Db, id: number, patch: ContactPatch): Promise<CrmContact | undefined> {
  const set = {
    ...(patch.name !== undefined ? { name: cleanText(patch.name) } : {}),
    ...(patch.notes !== undefined ? { notes: cleanText(patch.notes) } : {}),
    ...(patch.tags !== undefined ? { tags: JSON.stringify(patch.tags.map((t) => cleanText(t))) } : {}),
  };
  if (Object.keys(set).length > 0) await db.updateTable('contacts').set(set).where('id', '=', id).execute();
  return getCrmContact(db, id);
}
