// Users: created race-free on the unique username; role changes, disabling and deletion refuse to
// leave no enabled admin, holding a lock on the admin rows (PostgreSQL) or the one SQLite writer.
import type { Selectable, Transaction } from 'kysely';
import { AppError } from '../../errors.js';
import type { Role, NewUser, UserChange, UserPatch, UserRecord } from '../auth-store.js';
import { toMs } from '../rows.js';
import type { Database, StoreDialect, UsersTable } from '../schema.js';
import type { Db } from './db.js';

export function toUser(r: Selectable<UsersTable>): UserRecord {
  return {
    id: Number(r.id),
    username: r.username,
    role: r.role as Role, // the column's CHECK admits only Role values
    agentId: r.agent_id,
    passwordHash: r.password_hash,
    disabledAt: r.disabled_at === null ? null : new Date(Number(r.disabled_at)),
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
  };
}

function requireId(id: number): number {
  if (!Number.isSafeInteger(id)) throw new AppError('INTERNAL', `store: user id must be a whole number`);
  return id;
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function createUser(db: Db, user: NewUser): Promise<UserRecord | undefined> {
  const at = toMs(user.at, 'at');
  const row = await db
    .insertInto('users')
    .values({
      username: user.username,
      role: user.role,
      agent_id: user.agentId ?? null,
      password_hash: user.passwordHash,
      disabled_at: null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('username').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toUser(row);
}

export async function getUserById(db: Db, id: number): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', requireId(id)).executeTakeFirst();
  return row && toUser(row);
}

export async function getUserByUsername(db: Db, username: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row && toUser(row);
}

export async function listUsers(db: Db): Promise<UserRecord[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('id', 'asc').execute();
  return rows.map(toUser);
}

/**
 * The enabled admins' ids, locked until the transaction ends on PostgreSQL: a concurrent change
 * waits, then sees the committed result. SQLite serialises writers, so it needs no row lock.
 */
async function lockedEnabledAdmins(trx: Transaction<Database>, dialect: StoreDialect): Promise<number[]> {
  const query = trx
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null);
  const rows = await (dialect === 'postgres' ? query.forUpdate() : query).execute();
  return rows.map((r) => Number(r.id));
}

/** Whether `target` changing to (role, enabled) leaves at least one enabled admin. */
function keepsAnAdmin(admins: number[], target: UserRecord, role: Role, enabled: boolean): boolean {
  if (!admins.includes(target.id) || (role === 'admin' && enabled)) return true;
  return admins.length > 1;
}

export async function updateUser(
  db: Db,
  dialect: StoreDialect,
  id: number,
  patch: UserPatch,
): Promise<UserChange> {
  const at = toMs(patch.at, 'at');
  return db.transaction().execute(async (trx) => {
    const admins = await lockedEnabledAdmins(trx, dialect);
    const current = await getUserById(trx, id);
    if (!current) return { result: 'not-found' };
    const role = patch.role ?? current.role;
    const enabled = patch.disabled === undefined ? current.disabledAt === null : !patch.disabled;
    if (!keepsAnAdmin(admins, current, role, enabled)) return { result: 'last-admin' };
    const row = await trx
      .updateTable('users')
      .set({
        role,
        agent_id: patch.agentId === undefined ? current.agentId : patch.agentId,
        password_hash: patch.passwordHash ?? current.passwordHash,
        disabled_at: enabled ? null : current.disabledAt === null ? at : current.disabledAt.getTime(),
        updated_at: at,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { result: 'ok', user: toUser(row) };
  });
}

export async function deleteUser(
  db: Db,
  dialect: StoreDialect,
  id: number,
): Promise<'deleted' | 'not-found' | 'last-admin'> {
  return db.transaction().execute(async (trx) => {
    const admins = await lockedEnabledAdmins(trx, dialect);
    const current = await getUserById(trx, id);
    if (!current) return 'not-found';
    // Deleting is "no longer an enabled admin": the same rule as demoting or disabling.
    if (!keepsAnAdmin(admins, current, 'agent', false)) return 'last-admin';
    await trx.deleteFrom('users').where('id', '=', id).execute();
    return 'deleted';
  });
}
