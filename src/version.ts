// The package version, read once from package.json (one directory above src/ and dist/ alike),
// for the Settings page and anything else that reports what is running.
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    // An install without its package.json (copied dist/) still serves; it just cannot say.
    return 'unknown';
  }
}

export const VERSION = readVersion();
