// API keys: found by the SHA-256 of the presented secret (unique index); revocation is a time,
// never a delete, so a key that stops working can still be shown as revoked.
import type { Selectable } from 'kysely';
import type { ApiKeyRecord, NewApiKey } from '../auth-store.js';
import { toMs } from '../rows.js';
import type { ApiKeysTable } from '../schema.js';
import type { Db } from './db.js';

const dateOrNull = (v: number | string | null): Date | null => (v === null ? null : new Date(Number(v)));

export function toApiKey(r: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: Number(r.id),
    name: r.name,
    prefix: r.prefix,
    createdBy: r.created_by === null ? null : Number(r.created_by),
    createdAt: new Date(Number(r.created_at)),
    lastUsedAt: dateOrNull(r.last_used_at),
    revokedAt: dateOrNull(r.revoked_at),
  };
}

export async function createApiKey(db: Db, key: NewApiKey): Promise<ApiKeyRecord> {
  const row = await db
    .insertInto('api_keys')
    .values({
      name: key.name,
      prefix: key.prefix,
      secret_hash: key.secretHash,
      created_by: key.createdBy,
      created_at: toMs(key.at, 'at'),
      last_used_at: null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toApiKey(row);
}

export async function getApiKeyByHash(db: Db, secretHash: string): Promise<ApiKeyRecord | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .executeTakeFirst();
  return row && toApiKey(row);
}

export async function listApiKeys(db: Db): Promise<ApiKeyRecord[]> {
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('id', 'desc').execute();
  return rows.map(toApiKey);
}

export async function revokeApiKey(db: Db, id: number, at: Date): Promise<'revoked' | 'not-found'> {
  if (!Number.isSafeInteger(id)) return 'not-found';
  const revoked = await db
    .updateTable('api_keys')
    .set({ revoked_at: toMs(at, 'at') })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (revoked) return 'revoked';
  // Already revoked (keeps its first time) or no such key.
  const exists = await db.selectFrom('api_keys').select('id').where('id', '=', id).executeTakeFirst();
  return exists ? 'revoked' : 'not-found';
}

export async function touchApiKey(db: Db, id: number, at: Date): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: toMs(at, 'at') })
    .where('id', '=', id)
    .execute();
}
