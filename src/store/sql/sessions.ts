// Sessions: one row per signed-in browser, keyed by the SHA-256 of its id, expiring at a time the
// session layer moves forward on renewal. Expired rows are invisible at once and pruned later.
import type { SessionRecord } from '../auth-store.js';
import { fromJson, toJson, toMs } from '../rows.js';
import type { Db } from './db.js';
import { requireKey } from './db.js';

export async function saveSession(db: Db, session: SessionRecord): Promise<void> {
  const values = {
    sid: requireKey(session.sidHash, 'sidHash'),
    user_id: session.userId,
    data: toJson(session.data, 'data'),
    expires_at: toMs(session.expiresAt, 'expiresAt'),
  };
  await db
    .insertInto('sessions')
    .values(values)
    .onConflict((oc) =>
      oc.column('sid').doUpdateSet({
        user_id: values.user_id,
        data: values.data,
        expires_at: values.expires_at,
      }),
    )
    .execute();
}

export async function getSession(db: Db, sidHash: string, now: Date): Promise<SessionRecord | undefined> {
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('sid', '=', requireKey(sidHash, 'sidHash'))
    .where('expires_at', '>', toMs(now, 'now'))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    sidHash: row.sid,
    userId: Number(row.user_id),
    data: fromJson(row.data) ?? {},
    expiresAt: new Date(Number(row.expires_at)),
  };
}

export async function deleteSession(db: Db, sidHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('sid', '=', requireKey(sidHash, 'sidHash')).execute();
}

export async function deleteUserSessions(db: Db, userId: number, exceptSidHash?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptSidHash !== undefined) query = query.where('sid', '<>', exceptSidHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where('expires_at', '<=', toMs(now, 'now'))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
