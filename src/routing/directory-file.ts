// AGENTS_FILE as the directory: read and validated (YAML or JSON), synced into the store, and
// re-read on change (fs.watch, debounced) or SIGHUP without a restart. A bad edit keeps the
// previous directory and logs every problem with its entry and field; at start-up it stops.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config.js';
import type { DirectoryChanges, DirectoryStore } from '../store/directory-store.js';
import { DirectoryError, parseDirectory, toSnapshot, type DirectoryFile } from './directory-schema.js';

/** Reads and validates a directory file; DirectoryError lists every problem. */
export async function readDirectoryFile(file: string): Promise<DirectoryFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new DirectoryError([`cannot read ${file}: ${(err as Error).message}`]);
  }
  return parseDirectoryText(text, file);
}

export function parseDirectoryText(text: string, file: string): DirectoryFile {
  const json = /\.json$/i.test(file);
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new DirectoryError([`not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message}`]);
  }
  return parseDirectory(raw);
}

export interface DirectoryFileSource {
  /** Re-reads the file now (what a change or SIGHUP does); false when it was invalid. */
  reload(): Promise<boolean>;
  close(): void;
}

export interface DirectoryFileOptions {
  file: string;
  store: DirectoryStore;
  log: Logger;
  /** Quiet time after the last change event before re-reading (editors write in bursts). */
  debounceMs?: number;
  /** Re-read on SIGHUP (the server; not tests that run several in one process). */
  sighup?: boolean;
  now?: () => Date;
}

async function sync(opts: DirectoryFileOptions, file: DirectoryFile): Promise<DirectoryChanges> {
  const snapshot = toSnapshot(file);
  const changes = await opts.store.replaceDirectory(snapshot, 'file', (opts.now ?? (() => new Date()))());
  opts.log.info(
    { file: opts.file, departments: snapshot.departments.length, agents: snapshot.agents.length, ...changes },
    'DIRECTORY_SYNCED',
  );
  return changes;
}

/**
 * Loads the file into the store and keeps it in sync. Throws ConfigError (naming each problem)
 * when the file is invalid at start-up.
 */
export async function startDirectoryFile(opts: DirectoryFileOptions): Promise<DirectoryFileSource> {
  const { file, log } = opts;
  try {
    await sync(opts, await readDirectoryFile(file));
  } catch (err) {
    if (err instanceof DirectoryError)
      throw new ConfigError(err.problems.map((p) => `AGENTS_FILE ${file}: ${p}`));
    throw err;
  }

  let closed = false;
  let queue = Promise.resolve(true);
  const reload = (): Promise<boolean> =>
    (queue = queue.then(async () => {
      if (closed) return false;
      try {
        await sync(opts, await readDirectoryFile(file));
        return true;
      } catch (err) {
        if (err instanceof DirectoryError)
          log.error(
            { file, problems: err.problems },
            'DIRECTORY_FILE_INVALID: keeping the previous directory',
          );
        else log.error({ err, file }, 'DIRECTORY_SYNC_FAILED: keeping the previous directory');
        return false;
      }
    }));

  // The folder is watched, not the file: editors that save by rename would end a file watch.
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(file), (_event, name) => {
      if (name !== null && name !== path.basename(file)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), opts.debounceMs ?? 250);
    });
    watcher.on('error', (err) => log.warn({ err, file }, 'DIRECTORY_WATCH_FAILED: SIGHUP still reloads'));
  } catch (err) {
    log.warn({ err, file }, 'DIRECTORY_WATCH_FAILED: SIGHUP still reloads');
  }
  const onSighup = () => {
    log.info({ file }, 'SIGHUP: re-reading AGENTS_FILE');
    void reload();
  };
  if (opts.sighup) process.on('SIGHUP', onSighup);

  return {
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      if (opts.sighup) process.off('SIGHUP', onSighup);
    },
  };
}

/**
 * Without AGENTS_FILE the store holds the directory: one last synced from a file becomes
 * store-managed (editable through the CLI and API) and keeps its agents.
 */
export async function adoptStoredDirectory(
  store: DirectoryStore,
  log: Logger,
  at = new Date(),
): Promise<void> {
  const { source } = await store.getDirectory();
  if (source !== 'file') return;
  await store.setDirectoryMeta({ source: 'store' }, at);
  log.info(
    'DIRECTORY_FROM_STORE: AGENTS_FILE is not set; the directory last synced from a file is now managed in the store',
  );
}
