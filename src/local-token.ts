// The local auth token used when TWILIO_AUTH_TOKEN is not set: signatures stay on, and our own CLI
// and emulator read the same token from the data directory. Real Twilio traffic fails closed.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const LOCAL_TOKEN_FILE = 'local-auth-token';

export async function readOrCreateLocalToken(
  dataDir: string,
): Promise<{ token: string; created: boolean; file: string }> {
  const file = path.join(dataDir, LOCAL_TOKEN_FILE);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token.length >= 32) return { token, created: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(24).toString('hex');
  // wx: two processes starting together must not overwrite each other's token.
  try {
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return { token, created: true, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { token: (await readFile(file, 'utf8')).trim(), created: false, file };
  }
}
