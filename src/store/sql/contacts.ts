// Contacts: one row per caller phone, created race-free with INSERT … ON CONFLICT DO NOTHING.
import { AppError } from '../../errors.js';
import { MAX_PHONE_LENGTH } from '../phone.js';
import { toContact, toMs } from '../rows.js';
import type { Contact } from '../store.js';
import type { Db } from './db.js';

function cleanPhone(phone: string): string {
  const trimmed = typeof phone === 'string' ? phone.trim() : '';
  if (trimmed === '' || trimmed.length > MAX_PHONE_LENGTH) {
    throw new AppError('INTERNAL', `store: contact phone must be 1..${MAX_PHONE_LENGTH} characters`);
  }
  return trimmed;
}

export async function getContactByPhone(db: Db, phone: string): Promise<Contact | undefined> {
  const row = await db
    .selectFrom('contacts')
    .selectAll()
    .where('phone', '=', cleanPhone(phone))
    .executeTakeFirst();
  return row && toContact(row);
}

export async function upsertContact(db: Db, phone: string, at: Date): Promise<Contact> {
  const clean = cleanPhone(phone);
  const inserted = await db
    .insertInto('contacts')
    .values({ phone: clean, name: null, created_at: toMs(at, 'at') })
    .onConflict((oc) => oc.column('phone').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return toContact(inserted);
  // Lost the race (or a returning caller): the winner's row is committed by now.
  const existing = await getContactByPhone(db, clean);
  if (!existing) throw new AppError('STORE_FAILED', `contact ${clean} neither inserted nor found`);
  return existing;
}
