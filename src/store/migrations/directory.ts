// Migration 0002_directory: the agent directory (departments, agents, live status), agent legs
// (reservations, offers, answers) and calls.agent_id. Every statement is safe to re-run, as the
// initial migration explains (SQLite migrations run outside a transaction).
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../schema.js';

async function addColumnIfMissing(
  db: Kysely<unknown>,
  dialect: StoreDialect,
  table: string,
  column: string,
  type: string,
): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table ${sql.table(table)} add column if not exists ${sql.ref(column)} ${sql.raw(type)}`.execute(
      db,
    );
    return;
  }
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  if (!rows.some((r) => r.name === column))
    await sql`alter table ${sql.table(table)} add column ${sql.ref(column)} ${sql.raw(type)}`.execute(db);
}

export function directoryMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await addColumnIfMissing(db, dialect, 'calls', 'agent_id', 'text');

      await db.schema
        .createTable('directory_meta')
        .ifNotExists()
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('synced_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('directory_meta_source_check', sql`source in ('file', 'store')`)
        .execute();

      await db.schema
        .createTable('departments')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('strategy', 'text', (c) => c.notNull())
        .addColumn('ring_seconds', 'integer', (c) => c.notNull())
        .addColumn('hours', 'text')
        .addColumn('closed', 'text', (c) => c.notNull())
        .addColumn('after_hours_prompt', 'text')
        .addColumn('no_answer_prompt', 'text')
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('agents')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('departments', 'text', (c) => c.notNull())
        .addColumn('languages', 'text', (c) => c.notNull())
        .addColumn('skills', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('max_calls', 'integer', (c) => c.notNull())
        .addColumn('hours', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('agents_status_check', sql`status in ('available', 'away', 'offline')`)
        .execute();

      // No foreign keys to agents: a file sync replaces agents while their legs and calls stay.
      await db.schema
        .createTable('agent_presence')
        .ifNotExists()
        .addColumn('agent_id', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('set_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('agent_presence_status_check', sql`status in ('available', 'away', 'offline')`)
        .execute();

      const legs = db.schema.createTable('agent_legs').ifNotExists();
      await (
        dialect === 'sqlite'
          ? legs.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
          : legs.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      )
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('slot', 'integer', (c) => c.notNull())
        .addColumn('reserved_at', 'bigint', (c) => c.notNull())
        .addColumn('answered_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('outcome', 'text')
        // NULLs never collide in a UNIQUE column: only live legs hold a line.
        .addColumn('live_key', 'text', (c) => c.unique())
        .addColumn('live_call_key', 'text', (c) => c.unique())
        .execute();
      // Round-robin reads the latest offer per agent; fewest-calls counts today's answers.
      await db.schema
        .createIndex('agent_legs_agent_reserved_idx')
        .ifNotExists()
        .on('agent_legs')
        .columns(['agent_id', 'reserved_at'])
        .execute();
      await db.schema
        .createIndex('agent_legs_answered_idx')
        .ifNotExists()
        .on('agent_legs')
        .columns(['answered_at'])
        .execute();
      await db.schema
        .createIndex('agent_legs_call_idx')
        .ifNotExists()
        .on('agent_legs')
        .columns(['call_sid'])
        .execute();
    },
  };
}
