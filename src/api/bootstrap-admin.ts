// The first start with no users creates `admin`: with ADMIN_PASSWORD, or with a random password
// written to DATA_DIR/admin-password (mode 0600). The log says where the file is, never the password.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AuthStore } from '../store/auth-store.js';
import { generatePassword, hashPassword } from './password.js';

export const ADMIN_PASSWORD_FILE = 'admin-password';
export const FIRST_ADMIN = 'admin';

export type BootstrapResult =
  { created: false } | { created: true; source: 'env' } | { created: true; source: 'file'; file: string };

/** Replaces the file atomically; a stale file from an earlier database gets the new password. */
async function writePasswordFile(file: string, password: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${password}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600); // the umask cannot widen it, but be explicit
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

export async function bootstrapAdmin(opts: {
  store: AuthStore;
  dataDir: string;
  adminPassword: string | undefined;
  log: Logger;
}): Promise<BootstrapResult> {
  const { store, log } = opts;
  if ((await store.countUsers()) > 0) {
    if (opts.adminPassword) {
      log.warn(
        'ADMIN_PASSWORD_IGNORED: ADMIN_PASSWORD is set but users exist, so it is ignored (it only creates the first admin)',
      );
    }
    return { created: false };
  }
  const password = opts.adminPassword ?? generatePassword();
  const user = await store.createUser({
    username: FIRST_ADMIN,
    role: 'admin',
    passwordHash: await hashPassword(password),
    at: new Date(),
  });
  // Another instance starting at the same moment created it: its password stands.
  if (!user) return { created: false };
  if (opts.adminPassword) {
    log.info({ username: FIRST_ADMIN }, 'FIRST_ADMIN created with ADMIN_PASSWORD');
    return { created: true, source: 'env' };
  }
  const file = path.join(opts.dataDir, ADMIN_PASSWORD_FILE);
  await writePasswordFile(file, password);
  log.warn(
    { username: FIRST_ADMIN, file },
    `FIRST_ADMIN created: sign in as "${FIRST_ADMIN}" with the password in ${file}, then choose your own (POST /api/v1/auth/password, which deletes the file)`,
  );
  return { created: true, source: 'file', file };
}
