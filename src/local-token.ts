// The local auth token used when TWILIO_AUTH_TOKEN is not set: signatures stay on, and our own CLI
// and emulator read the same token from the data directory. Real Twilio traffic fails closed.
// It is a signing key, so every path checks its length: an empty or short file (a full disk, a
// `touch`, a crash mid-write) is replaced, never used.
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const LOCAL_TOKEN_FILE = 'local-auth-token';
/** 48 hex characters are written; anything shorter than this on disk is not ours or not whole. */
export const MIN_LOCAL_TOKEN_LENGTH = 32;

export interface LocalToken {
  token: string;
  created: boolean;
  file: string;
  /** The file's mode when it was group- or world-accessible (it has been tightened to 0600). */
  looseMode?: number;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** The token in DATA_DIR if it is there and long enough; undefined if missing or short. */
export async function readLocalToken(dataDir: string): Promise<string | undefined> {
  try {
    const token = (await readFile(path.join(dataDir, LOCAL_TOKEN_FILE), 'utf8')).trim();
    return token.length >= MIN_LOCAL_TOKEN_LENGTH ? token : undefined;
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * A whole new token file appears at once: written to a temporary file first, then linked into
 * place (fails if another process got there first: both then use the winner's) or, over a short
 * file, renamed into place.
 */
async function writeToken(file: string, replace: boolean): Promise<string | undefined> {
  const token = randomBytes(24).toString('hex');
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
    if (replace) {
      await rename(tmp, file);
      return token;
    }
    try {
      await link(tmp, file);
      return token;
    } catch (err) {
      if (errno(err) === 'EEXIST') return undefined;
      // A file system without hard links: a rename still never shows a partial file.
      if (errno(err) === 'EPERM' || errno(err) === 'ENOTSUP' || errno(err) === 'EXDEV') {
        await rename(tmp, file);
        return token;
      }
      throw err;
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Where a loosely permitted token file is reported (serve and the cluster's primary pass theirs). */
interface WarnLog {
  warn(obj: object, msg: string): void;
}

export async function readOrCreateLocalToken(dataDir: string, log?: WarnLog): Promise<LocalToken> {
  const file = path.join(dataDir, LOCAL_TOKEN_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  let written: string | undefined;
  // What is on disk after our write is what every process uses: a lost race (two servers
  // starting together) ends with both reading the winner's token on the next round.
  for (let attempt = 0; attempt < 3; attempt++) {
    let exists = true;
    try {
      const mode = (await stat(file)).mode & 0o777;
      const token = await readLocalToken(dataDir);
      if (token) {
        const found = { token, created: token === written, file };
        if ((mode & 0o077) === 0) return found;
        await chmod(file, 0o600);
        log?.warn(
          { file, mode: mode.toString(8) },
          'LOCAL_TOKEN_PERMISSIONS: the local token file was readable by other users: tightened to 0600 (anyone who read it could sign webhooks)',
        );
        return { ...found, looseMode: mode };
      }
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
      exists = false;
    }
    written = (await writeToken(file, exists)) ?? written;
  }
  throw new Error(`${file}: could not read or create a local auth token`);
}
