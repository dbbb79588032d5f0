// The secret session cookies are signed with: SESSION_SECRET, or one generated once into
// DATA_DIR/session-secret (mode 0600) the way the local Twilio token is. Instances that share a
// database must share the secret too (set SESSION_SECRET), or each signs cookies the others refuse.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';

export const SESSION_SECRET_FILE = 'session-secret';
const MIN_LENGTH = 32;

export async function readOrCreateSessionSecret(
  dataDir: string,
): Promise<{ secret: string; created: boolean; file: string }> {
  const file = path.join(dataDir, SESSION_SECRET_FILE);
  const read = async () => {
    const secret = (await readFile(file, 'utf8')).trim();
    // A truncated or hand-edited file must not silently weaken every cookie.
    if (secret.length < MIN_LENGTH) {
      throw new AppError(
        'CONFIG_INVALID',
        `${file} holds ${secret.length} characters, at least ${MIN_LENGTH} are needed; delete it to generate a new one (everyone signs in again) or set SESSION_SECRET`,
      );
    }
    return secret;
  };
  try {
    return { secret: await read(), created: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // Written aside, then linked into place: link() fails if the file exists, so two processes
  // starting together agree on one secret, and neither can read a half-written file.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
    return { secret, created: true, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { secret: await read(), created: false, file };
  } finally {
    await rm(tmp, { force: true });
  }
}
