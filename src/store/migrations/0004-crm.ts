// 0004_crm: what the CRM API adds to the schema: contact notes and tags, lead pipeline status
// (new → contacted → qualified → won | lost) with assignee and notes, test/agent marks on calls,
// and the durable outbox the `call.completed` webhook is sent from.
import { sql } from 'kysely';
import type { Kysely, Migration, Transaction } from 'kysely';
import type { StoreDialect } from '../schema.js';

/** The lead statuses, in pipeline order (migrations must not import runtime code that may change). */
const LEAD_STATUSES = sql.raw(`'new', 'contacted', 'qualified', 'won', 'lost'`);
/**
 * Old rows keep their meaning: an open lead has not been worked yet (new); a closed one was dealt
 * with but the old schema never said how, so it becomes lost rather than claiming a sale.
 */
const STATUS_FROM_OLD = sql.raw(
  `case status when 'open' then 'new' when 'closed' then 'lost' else status end`,
);

/** SQLite has no ADD COLUMN IF NOT EXISTS: look first, so a re-run after a crash is harmless. */
async function addSqliteColumn(
  db: Kysely<unknown>,
  table: string,
  column: string,
  definition: string,
): Promise<void> {
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  if (rows.some((r) => r.name === column)) return;
  await sql`alter table ${sql.table(table)} add column ${sql.ref(column)} ${sql.raw(definition)}`.execute(db);
}

async function addColumn(
  db: Kysely<unknown>,
  dialect: StoreDialect,
  table: string,
  column: string,
  definition: string,
): Promise<void> {
  if (dialect === 'sqlite') return addSqliteColumn(db, table, column, definition);
  await sql`alter table ${sql.table(table)} add column if not exists ${sql.ref(column)} ${sql.raw(definition)}`.execute(
    db,
  );
}

/**
 * SQLite cannot alter a CHECK constraint: the leads table is rebuilt (new table, copy with the
 * status mapped, swap) in one transaction, and only while its definition still names 'closed',
 * so an interrupted or repeated run either did all of it or none.
 */
async function rebuildSqliteLeads(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{
    sql: string;
  }>`select sql from sqlite_master where type = 'table' and name = 'leads'`.execute(db);
  if (!rows[0]?.sql.includes(`'closed'`)) return;
  await db.transaction().execute(async (trx: Transaction<unknown>) => {
    await sql`drop table if exists leads_rebuild`.execute(trx);
    await sql`create table leads_rebuild (
      id integer primary key autoincrement,
      call_sid text not null unique,
      contact_id integer references contacts (id),
      fields text not null,
      status text not null default 'new',
      revision integer not null default 0,
      created_at bigint not null,
      updated_at bigint not null,
      assignee text,
      notes text,
      constraint leads_status_check check (status in (${LEAD_STATUSES}))
    )`.execute(trx);
    await sql`insert into leads_rebuild
      (id, call_sid, contact_id, fields, status, revision, created_at, updated_at)
      select id, call_sid, contact_id, fields, ${STATUS_FROM_OLD}, revision, created_at, updated_at
      from leads`.execute(trx);
    await sql`drop table leads`.execute(trx);
    await sql`alter table leads_rebuild rename to leads`.execute(trx);
    await sql`create index if not exists leads_contact_created_idx on leads (contact_id, created_at)`.execute(
      trx,
    );
  });
}

/** PostgreSQL alters the constraint in place; the migration runs in one transaction there. */
async function migratePostgresLeads(db: Kysely<unknown>): Promise<void> {
  await sql`alter table leads drop constraint if exists leads_status_check`.execute(db);
  await sql`update leads set status = ${STATUS_FROM_OLD} where status in ('open', 'closed')`.execute(db);
  await sql`alter table leads alter column status set default 'new'`.execute(db);
  await sql`alter table leads add constraint leads_status_check check (status in (${LEAD_STATUSES}))`.execute(
    db,
  );
  await addColumn(db, 'postgres', 'leads', 'assignee', 'text');
  await addColumn(db, 'postgres', 'leads', 'notes', 'text');
}

export function crmMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'sqlite') await rebuildSqliteLeads(db);
      else await migratePostgresLeads(db);
      await db.schema
        .createIndex('leads_created_idx')
        .ifNotExists()
        .on('leads')
        .columns(['created_at', 'id'])
        .execute();

      await addColumn(db, dialect, 'contacts', 'notes', 'text');
      /** JSON array of strings. */
      await addColumn(db, dialect, 'contacts', 'tags', `text not null default '[]'`);

      /** 1 for a test call (placed from the dashboard), never counted as a customer's. */
      await addColumn(db, dialect, 'calls', 'is_test', 'integer not null default 0');
      // calls.agent_id (the directory agent who took the call) came with 0002_directory.
      // The outbox sweep finds calls that just ended; agent users list the calls they took.
      await db.schema
        .createIndex('calls_ended_at_idx')
        .ifNotExists()
        .on('calls')
        .columns(['ended_at'])
        .execute();
      await db.schema
        .createIndex('calls_agent_started_idx')
        .ifNotExists()
        .on('calls')
        .columns(['agent_id', 'started_at'])
        .execute();

      const outbox = db.schema.createTable('crm_outbox').ifNotExists();
      await (
        dialect === 'sqlite'
          ? outbox.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
          : outbox.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      )
        // `call.completed:<CallSid>`: one event per call, also the receiver's idempotency key.
        .addColumn('event_key', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('call_sid', 'text', (c) => c.notNull())
        // The JSON body, frozen at the first attempt so every retry sends the same bytes.
        .addColumn('payload', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('available_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('delivered_at', 'bigint')
        .addColumn('failed_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('crm_outbox_due_idx')
        .ifNotExists()
        .on('crm_outbox')
        .columns(['delivered_at', 'failed_at', 'available_at'])
        .execute();
    },
  };
}
