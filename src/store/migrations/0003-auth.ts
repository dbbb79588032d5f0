// Migration 0003_auth: users, API keys and sessions. Same IF NOT EXISTS discipline as the initial
// migration (SQLite migrations run outside a transaction; a crash part-way must be completable).
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../schema.js';

function withId<T extends string>(table: CreateTableBuilder<T, never>, dialect: StoreDialect) {
  return dialect === 'sqlite'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

export function authMigration(dialect: StoreDialect): Migration {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  return {
    async up(db: Kysely<unknown>) {
      await withId(db.schema.createTable('users').ifNotExists(), dialect)
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text')
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('disabled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('users_role_check', sql`role in ('admin', 'agent')`)
        .execute();

      await withId(db.schema.createTable('api_keys').ifNotExists(), dialect)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        // The lookup key of every bearer request: unique, so it is also the index.
        .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
        // A key outlives the admin who made it (the integration keeps working until revoked).
        .addColumn('created_by', idType, (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();

      await db.schema
        .createTable('sessions')
        .ifNotExists()
        .addColumn('sid', 'text', (c) => c.primaryKey())
        // Deleting a user ends their sessions.
        .addColumn('user_id', idType, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sessions_user_idx')
        .ifNotExists()
        .on('sessions')
        .columns(['user_id'])
        .execute();
      await db.schema
        .createIndex('sessions_expires_idx')
        .ifNotExists()
        .on('sessions')
        .columns(['expires_at'])
        .execute();
    },
  };
}
