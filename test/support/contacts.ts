// Staff naming a contact, as the CRM would: written straight to the table, since the CRM's own
// API is not what these tests are about.
import type { KyselyStore } from '../../src/store/kysely-store.js';
import type { Contact, Store } from '../../src/store/store.js';

export async function nameContact(store: Store, phone: string, name: string): Promise<Contact> {
  const contact = await store.upsertContact(phone, new Date());
  await (store as KyselyStore).db
    .updateTable('contacts')
    .set({ name })
    .where('id', '=', contact.id)
    .execute();
  return { ...contact, name };
}
