// 0005_security: calls.webhook_signed (0/1), set when the call's incoming_call was signed.
// SQLite has no ADD COLUMN IF NOT EXISTS: the column is looked up first, so a start that crashed
// after the ALTER (SQLite migrations run outside a transaction) completes on the next one.
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../schema.js';

export function security(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') {
        await sql`alter table calls add column if not exists webhook_signed integer not null default 0`.execute(
          db,
        );
        return;
      }
      const { rows } = await sql<{ name: string }>`select name from pragma_table_info('calls')`.execute(db);
      if (!rows.some((r) => r.name === 'webhook_signed')) {
        await sql`alter table calls add column webhook_signed integer not null default 0`.execute(db);
      }
    },
  };
}
