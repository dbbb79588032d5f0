// `agentlocator api-key create --name N | list | revoke <id>`: API keys from the machine the store
// is on (DATABASE_URL or SQLite in DATA_DIR, like `migrate`). The key is printed once, on create.
import pino from 'pino';
import { newApiKeySecret } from '../../api/api-key-secret.js';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { UsageError } from '../target.js';
import { parse } from './common.js';

export const API_KEY_HELP = `agentlocator api-key <create --name NAME | list | revoke ID>

  create --name NAME   make a key for an integration and print it (once: only its hash is kept)
  list                 show keys: id, prefix, name, created, last used, revoked
  revoke ID            stop a key from working

Keys go in the Authorization header: Authorization: Bearer al_…
Uses DATABASE_URL (PostgreSQL) or SQLite in DATA_DIR, as the server does.`;

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(
    { logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel },
    pino.destination(2),
  );
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const when = (d: Date | null) => (d ? d.toISOString() : '-');

export async function apiKeyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    name: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const [action, ...rest] = positionals;
  if (values.help) {
    console.log(API_KEY_HELP);
    return 0;
  }
  if (action === undefined) throw new UsageError('api-key needs an action: create, list or revoke');
  switch (action) {
    case 'create': {
      const name = values.name?.trim();
      if (!name) throw new UsageError('api-key create needs --name NAME (what the key is for)');
      if (name.length > 100) throw new UsageError('--name must be at most 100 characters');
      if (rest.length > 0) throw new UsageError(`api-key create takes no arguments (got ${rest.join(' ')})`);
      const secret = newApiKeySecret();
      const key = await withStore((store) =>
        store.createApiKey({
          name,
          prefix: secret.prefix,
          secretHash: secret.secretHash,
          createdBy: null,
          at: new Date(),
        }),
      );
      console.error(`API key ${key.id} "${key.name}" created. It is shown once; store it now:`);
      console.log(secret.key);
      return 0;
    }
    case 'list': {
      const keys = await withStore((store) => store.listApiKeys());
      if (keys.length === 0) console.log('no API keys');
      for (const k of keys) {
        const state = k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active';
        console.log(
          `${k.id}\t${k.prefix}…\t${k.name}\tcreated ${when(k.createdAt)}\tlast used ${when(k.lastUsedAt)}\t${state}`,
        );
      }
      return 0;
    }
    case 'revoke': {
      const id = Number(rest[0]);
      if (rest.length !== 1 || !Number.isSafeInteger(id) || id <= 0) {
        throw new UsageError('api-key revoke takes one key id (see agentlocator api-key list)');
      }
      const result = await withStore((store) => store.revokeApiKey(id, new Date()));
      if (result === 'not-found') {
        console.error(`no API key ${id}`);
        return 1;
      }
      console.log(`API key ${id} revoked`);
      return 0;
    }
    default:
      throw new UsageError(`unknown api-key action "${action}" (create, list or revoke)`);
  }
}
