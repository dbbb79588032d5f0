// DATA_DIR on disk: created private (0700), and every file path built from an id (a CallSid, a
// StreamSid, a flow field) checked to stay inside it. Ids come from the network; a path must not.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** DATA_DIR and the directories under it: recordings and the database are personal data. */
const PRIVATE_DIR_MODE = 0o700;

export class UnsafePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePathError';
  }
}

/**
 * `<root>/<segments…>`, each segment one plain name (no separator, no NUL, not `.` or `..`), and
 * the resolved result strictly inside `root`; throws UnsafePathError otherwise.
 */
export function pathInside(root: string, ...segments: string[]): string {
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
      throw new UnsafePathError(`unsafe path segment ${JSON.stringify(segment.slice(0, 80))}`);
    }
  }
  const base = path.resolve(root);
  const full = path.resolve(base, ...segments);
  if (!full.startsWith(base + path.sep)) {
    throw new UnsafePathError(`${full} is outside ${base}`);
  }
  return full;
}

/**
 * Creates DATA_DIR (0700) if missing. An existing directory keeps its mode (it may be a mount
 * shared on purpose); its mode is returned when others can read it, for a warning.
 */
export async function prepareDataDir(dataDir: string): Promise<{ looseMode?: number }> {
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const mode = (await stat(dataDir)).mode & 0o777;
  return (mode & 0o077) === 0 ? {} : { looseMode: mode };
}
