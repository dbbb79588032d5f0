// Migration 0008_jobs: the durable jobs table (transcriptions and post-call analyses: leases,
// attempts, backoff), the transcript a recording gets and the key of the turn it becomes. Safe to re-run, as the initial migration
// explains (SQLite migrations run outside a transaction): tables and indexes IF NOT EXISTS, and
// SQLite's ADD COLUMN only after looking the column up.
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../schema.js';

async function addColumn(
  db: Kysely<unknown>,
  dialect: StoreDialect,
  table: string,
  column: string,
  type: string,
) {
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

export function jobsMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const table = db.schema.createTable('jobs').ifNotExists();
      await (
        dialect === 'sqlite'
          ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
          : table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      )
        // transcribe:<RecordingSid> or analyze:<CallSid>: a sweep on any instance enqueues each once.
        .addColumn('job_key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('recording_sid', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('available_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('done_at', 'bigint')
        .addColumn('failed_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('jobs_kind_check', sql`kind in ('transcribe', 'analyze')`)
        .execute();
      await db.schema
        .createIndex('jobs_due_idx')
        .ifNotExists()
        .on('jobs')
        .columns(['available_at'])
        .execute();
      await db.schema.createIndex('jobs_call_idx').ifNotExists().on('jobs').columns(['call_sid']).execute();
      // The sweep looks at recent recordings only.
      await db.schema
        .createIndex('recordings_created_at_idx')
        .ifNotExists()
        .on('recordings')
        .columns(['created_at'])
        .execute();
      await addColumn(db, dialect, 'recordings', 'transcript', 'text');
      await addColumn(db, dialect, 'recordings', 'transcribed_at', 'bigint');
      // recording:<sid> on the caller turn a recording's transcript became: UNIQUE, so a job run
      // twice adds it once (NULLs, every other turn, never collide).
      await addColumn(db, dialect, 'transcript_turns', 'source_key', 'text');
      await db.schema
        .createIndex('transcript_turns_source_key_idx')
        .ifNotExists()
        .unique()
        .on('transcript_turns')
        .columns(['source_key'])
        .execute();
    },
  };
}
