// 0004_crm on a database that already holds leads in the old open/closed statuses: rows keep
// their meaning (open → new, closed → lost), the new CHECK holds, and a re-run changes nothing.
import { Migrator, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { KyselyStore } from '../../src/store/kysely-store.js';
import { InCodeMigrationProvider } from '../../src/store/migrations.js';
import { openDatabase } from '../../src/store/open-store.js';
import { describeEachStore } from '../support/databases.js';
import { at, sid } from './contract/ids.js';

describeEachStore('0004_crm migration', (target) => {
  it('maps old lead statuses, adds the CRM columns and keeps working on a re-run', async () => {
    const opts = await target.freshOptions();
    const { db, dialect } = await openDatabase(opts);
    const migrator = new Migrator({
      db: db as unknown as Kysely<unknown>,
      provider: new InCodeMigrationProvider(dialect),
      ...(dialect === 'postgres'
        ? {
            migrationTableSchema: (await sql<{ s: string }>`select current_schema() as s`.execute(db))
              .rows[0]!.s,
          }
        : {}),
    });
    const first = await migrator.migrateTo('0001_initial');
    expect(first.error).toBeUndefined();

    const contact = await sql<{ id: number | string }>`
      insert into contacts (phone, name, created_at) values ('+972500000001', 'Old', 1) returning id`.execute(
      db,
    );
    const contactId = Number(contact.rows[0]!.id);
    const openSid = sid();
    const closedSid = sid();
    for (const [callSid, status] of [
      [openSid, 'open'],
      [closedSid, 'closed'],
    ] as const) {
      await sql`insert into leads (call_sid, contact_id, fields, status, revision, created_at, updated_at)
        values (${callSid}, ${contactId}, '{"name":"דנה"}', ${status}, 3, 10, 20)`.execute(db);
    }

    const store = new KyselyStore(db, { dialect });
    try {
      await store.migrate();
      await store.migrate();
      const open = await store.getLeadForCall(openSid);
      const closed = await store.getLeadForCall(closedSid);
      expect(open).toMatchObject({
        status: 'new',
        contactId,
        fields: { name: 'דנה' },
        createdAt: new Date(10),
      });
      expect(closed).toMatchObject({ status: 'lost', contactId });
      expect(await store.getCrmLead(open!.id)).toMatchObject({
        assignee: null,
        notes: null,
        contactName: 'Old',
      });
      expect(await store.getCrmContact(contactId)).toMatchObject({ tags: [], notes: null });

      // The old statuses are gone for good; the new ones and the merge still work.
      await expect(sql`update leads set status = 'open' where id = ${open!.id}`.execute(db)).rejects.toThrow(
        /check/i,
      );
      const merged = await store.saveLead({
        callSid: openSid,
        contactId: null,
        fields: { need: 'buy' },
        at: at(0),
      });
      expect(merged).toMatchObject({ status: 'new', fields: { name: 'דנה', need: 'buy' } });
      const fresh = await store.saveLead({ callSid: sid(), contactId: null, fields: {}, at: at(0) });
      expect(fresh.status).toBe('new');
      // The rebuilt SQLite table still enforces its foreign key.
      await expect(
        store.saveLead({ callSid: sid(), contactId: 987_654, fields: {}, at: at(0) }),
      ).rejects.toThrow(/foreign key/i);
    } finally {
      await store.close();
    }
  });
});
