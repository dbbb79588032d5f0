// Migration 0007_transfer: the transfers table (one row per call handed to a person: ring groups,
// the attempt ringing, handled dial_status callbacks, who accepted, voicemail). Safe to re-run, as
// the initial migration explains (SQLite migrations run outside a transaction).
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

export function transferMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // No foreign key to calls, like the timeline: a transfer of a call this store lost still counts.
      await db.schema
        .createTable('transfers')
        .ifNotExists()
        .addColumn('call_sid', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('department', 'text')
        .addColumn('topic', 'text')
        .addColumn('ring_seconds', 'integer', (c) => c.notNull())
        .addColumn('groups', 'text', (c) => c.notNull())
        .addColumn('no_answer_prompt', 'text')
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('handled', 'integer', (c) => c.notNull().defaultTo(-1))
        .addColumn('reply', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('voicemail_reason', 'text')
        .addColumn('voicemail_prompt', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint(
          'transfers_state_check',
          sql`state in ('ringing', 'bridged', 'voicemail', 'ended')`,
        )
        .execute();
    },
  };
}
