// The schema's history as in-code Kysely migrations, identical on SQLite and PostgreSQL except
// for the identity column (SQLite's INTEGER PRIMARY KEY alias vs a PostgreSQL identity).
import { Migrator, sql } from 'kysely';
import type { CreateTableBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { CALL_STATUSES } from '../twilio/call-status.js';
import type { StoreDialect } from './schema.js';
import { directoryMigration } from './migrations/directory.js';
import { authMigration } from './migrations/0003-auth.js';
import { security } from './migrations/0005_security.js';
import { transferMigration } from './migrations/transfer.js';
import { crmMigration } from './migrations/0004-crm.js';
import { jobsMigration } from './migrations/0008_jobs.js';

/**
 * Twilio's CallStatus values; the CHECK keeps a typo from ever reaching a row. Databases keep the
 * list they were created with: a status Twilio adds needs a migration that widens the CHECK.
 */
const CALL_STATUS_LIST = sql.raw(CALL_STATUSES.map((s) => `'${s}'`).join(', '));

function withId<T extends string>(table: CreateTableBuilder<T, never>, dialect: StoreDialect) {
  return dialect === 'sqlite'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

/** Column type of a foreign key to an id column. */
const idType = (dialect: StoreDialect) => (dialect === 'sqlite' ? 'integer' : 'bigint');

/**
 * Every statement is IF NOT EXISTS: Kysely runs SQLite migrations outside a transaction, so a
 * crash part-way through the first start must leave a schema the next start can complete.
 */
function initial(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await withId(db.schema.createTable('contacts').ifNotExists(), dialect)
        .addColumn('phone', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('calls')
        .ifNotExists()
        .addColumn('call_sid', 'text', (c) => c.primaryKey())
        .addColumn('account_sid', 'text')
        .addColumn('from_number', 'text')
        .addColumn('to_number', 'text')
        .addColumn('contact_id', idType(dialect), (c) => c.references('contacts.id'))
        .addColumn('direction', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_seq', 'integer', (c) => c.notNull().defaultTo(-1))
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('answered_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('duration_sec', 'integer')
        .addColumn('outcome', 'text')
        .addColumn('summary', 'text')
        .addColumn('stream_claimed_at', 'bigint')
        .addCheckConstraint('calls_status_check', sql`status in (${CALL_STATUS_LIST})`)
        .execute();
      // listCalls pages by start time; listCallsForContact is the returning-caller lookup.
      await db.schema
        .createIndex('calls_started_at_idx')
        .ifNotExists()
        .on('calls')
        .columns(['started_at'])
        .execute();
      await db.schema
        .createIndex('calls_contact_started_idx')
        .ifNotExists()
        .on('calls')
        .columns(['contact_id', 'started_at'])
        .execute();

      // No foreign key to calls: an event, stream or recording for a call this store never saw
      // (a callback after a database loss, a stray stream) is still worth keeping.
      await withId(db.schema.createTable('call_events').ifNotExists(), dialect)
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('twilio_code', 'integer')
        .addColumn('detail', 'text')
        .addColumn('at', 'bigint', (c) => c.notNull())
        // NULLs never collide in a UNIQUE column (both dialects), so only keyed events dedupe.
        .addColumn('dedupe_key', 'text', (c) => c.unique())
        .execute();
      await db.schema
        .createIndex('call_events_call_at_idx')
        .ifNotExists()
        .on('call_events')
        .columns(['call_sid', 'at'])
        .execute();

      await db.schema
        .createTable('streams')
        .ifNotExists()
        .addColumn('stream_sid', 'text', (c) => c.primaryKey())
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('frames_in', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('bytes_in', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('frames_out', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('bytes_out', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('marks_out', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('marks_acked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('bad_frames', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('close_code', 'integer')
        .addColumn('close_reason', 'text')
        .execute();
      await db.schema
        .createIndex('streams_call_idx')
        .ifNotExists()
        .on('streams')
        .columns(['call_sid'])
        .execute();

      await db.schema
        .createTable('recordings')
        .ifNotExists()
        .addColumn('recording_sid', 'text', (c) => c.primaryKey())
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('duration_sec', 'integer')
        .addColumn('status', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('recordings_call_idx')
        .ifNotExists()
        .on('recordings')
        .columns(['call_sid'])
        .execute();

      await withId(db.schema.createTable('transcript_turns').ifNotExists(), dialect)
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('start_ms', 'bigint')
        .addColumn('end_ms', 'bigint')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('transcript_turns_role_check', sql`role in ('caller', 'agent')`)
        .execute();
      await db.schema
        .createIndex('transcript_turns_call_at_idx')
        .ifNotExists()
        .on('transcript_turns')
        .columns(['call_sid', 'at'])
        .execute();

      await withId(db.schema.createTable('leads').ifNotExists(), dialect)
        .addColumn('call_sid', 'text', (c) => c.notNull().unique())
        .addColumn('contact_id', idType(dialect), (c) => c.references('contacts.id'))
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('leads_status_check', sql`status in ('open', 'closed')`)
        .execute();
      await db.schema
        .createIndex('leads_contact_created_idx')
        .ifNotExists()
        .on('leads')
        .columns(['contact_id', 'created_at'])
        .execute();
    },
  };
}

/** Every migration, keyed by a name that sorts in the order they must run. */
export function storeMigrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_directory': directoryMigration(dialect),
    '0003_auth': authMigration(dialect),
    '0004_crm': crmMigration(dialect),
    '0005_security': security(dialect),
    '0007_transfer': transferMigration(),
    '0008_jobs': jobsMigration(dialect),
  };
}

/** Serves the migrations from code, so a built or bundled server needs no migration files on disk. */
export class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: StoreDialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return storeMigrations(this.dialect);
  }
}

/**
 * The schema unqualified names resolve to. Kysely looks for its migration tables in every schema
 * unless told which one, so a second app (or test run) in another schema would fool it.
 */
async function currentSchema(db: Kysely<unknown>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/**
 * Brings the schema to the latest migration. Kysely's Migrator locks (a PostgreSQL advisory lock)
 * so instances starting together migrate once. Failures throw STORE_FAILED naming the migration.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: StoreDialect,
  log?: Logger,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(dialect),
    migrationTableSchema: dialect === 'postgres' ? await currentSchema(db) : undefined,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'the migration table';
    throw new AppError(
      'STORE_FAILED',
      `migration ${failed} failed: ${String((error as Error)?.message ?? error)}`,
      {
        cause: error,
      },
    );
  }
  if (applied.length > 0) log?.info({ migrations: applied, dialect }, 'store schema migrated');
  return applied;
}
