// `agentlocator migrate`: opens the configured store (SQLite in DATA_DIR, or DATABASE_URL) and
// brings its schema up to date, then closes it. Logs go to stderr; the result line to stdout.
import pino from 'pino';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { openStore, sqliteFilePath } from '../../store/open-store.js';
import { UsageError } from '../target.js';
import { parse } from './common.js';

export const MIGRATE_HELP = `agentlocator migrate

Creates or updates the database schema (the server also does this at start-up). Uses DATABASE_URL
(PostgreSQL) or SQLite at DATA_DIR/agentlocator.sqlite. Safe to run while servers are running.`;

export async function migrateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { help: { type: 'boolean', short: 'h', default: false } });
  if (positionals.length > 0)
    throw new UsageError(`migrate takes no arguments (got ${positionals.join(' ')})`);
  if (values.help) {
    console.log(MIGRATE_HELP);
    return 0;
  }
  const config = loadConfig();
  const log = createLogger(config, pino.destination(2));
  const started = performance.now();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  await store.close();
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `SQLite ${sqliteFilePath(config.dataDir)}`;
  console.log(`schema up to date: ${where} in ${Math.round(performance.now() - started)} ms`);
  return 0;
}
