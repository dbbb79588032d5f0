// AGENTS_FILE as the directory: synced at start (a mistake stops start-up, naming the field),
// re-read on change (including save-by-rename) and on SIGHUP, a bad edit keeps the old directory,
// and live status survives until the file changes that agent.
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import {
  adoptStoredDirectory,
  startDirectoryFile,
  type DirectoryFileSource,
} from '../../src/routing/directory-file.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openStore } from '../../src/store/open-store.js';
import { LogCapture } from '../support/server.js';

const EXAMPLE = readFileSync(path.join(import.meta.dirname, 'fixtures', 'agents.yaml'), 'utf8');

let source: DirectoryFileSource | undefined;
let store: KyselyStore | undefined;
afterEach(async () => {
  source?.close();
  await store?.close();
  source = undefined;
  store = undefined;
});

async function setup(text = EXAMPLE) {
  const dir = mkdtempSync(path.join(tmpdir(), 'agents-file-'));
  const file = path.join(dir, 'agents.yaml');
  writeFileSync(file, text);
  store = await openStore({ dataDir: dir, sqliteMemory: true });
  const logs = new LogCapture();
  const log = pino({ level: 'info' }, logs);
  return {
    dir,
    file,
    store,
    logs,
    log,
    start: () => startDirectoryFile({ file, store: store!, log, debounceMs: 50 }),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const agentIds = async (s: KyselyStore) => (await s.getDirectory()).agents.map((a) => a.id);
const priorityOf = async (s: KyselyStore, id: string) =>
  (await s.getDirectory()).agents.find((a) => a.id === id)?.priority;

describe('AGENTS_FILE', () => {
  it('is synced into the store at start, as the read-only source', async () => {
    const t = await setup();
    source = await t.start();
    const dir = await t.store.getDirectory();
    expect(dir.source).toBe('file');
    expect(dir.agents.map((a) => a.id)).toEqual(['dana', 'avi', 'noa']);
    expect(t.logs.find('DIRECTORY_SYNCED')[0]).toMatchObject({
      departments: 2,
      agents: 3,
      added: ['dana', 'avi', 'noa'],
    });
  });

  it('stops start-up with every problem, naming the file, the entry and the field', async () => {
    const t = await setup(
      EXAMPLE.replace("'+972501234567'", "'0501234567'").replace('[sales, support]', '[sales, suport]'),
    );
    const err = await t.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      `AGENTS_FILE ${t.file}: agents[0] (id "dana").phone: must be E.164, sip:… or client:…`,
    ]);
    const second = await setup(EXAMPLE.replace('[sales, support]', '[sales, suport]'));
    expect(((await second.start().catch((e: unknown) => e)) as ConfigError).problems).toEqual([
      `AGENTS_FILE ${second.file}: agents[1] (id "avi").departments[1]: no department "suport" (known: sales, support)`,
    ]);
    const missing = await setup();
    const gone = await startDirectoryFile({
      file: path.join(missing.dir, 'nope.yaml'),
      store: missing.store,
      log: missing.log,
    }).catch((e: unknown) => e);
    expect((gone as ConfigError).message).toContain('cannot read');
  });

  it('picks up an edit without a restart, also when the editor saves by rename', async () => {
    const t = await setup();
    source = await t.start();
    writeFileSync(t.file, EXAMPLE.replace('priority: 2', 'priority: 7'));
    await until('the edit', async () => (await priorityOf(t.store, 'avi')) === 7);
    const temp = path.join(t.dir, '.agents.yaml.swp');
    writeFileSync(temp, EXAMPLE.replace(/ {2}- id: noa[\s\S]*$/, ''));
    renameSync(temp, t.file);
    await until('the renamed file', async () => (await agentIds(t.store)).length === 2);
    expect(await agentIds(t.store)).toEqual(['dana', 'avi']);
  });

  it('keeps the previous directory when an edit is bad, and says where the mistake is', async () => {
    const t = await setup();
    source = await t.start();
    writeFileSync(t.file, EXAMPLE.replace('maxCalls: 1', 'maxCalls: many'));
    const line = await until('the error', () => t.logs.find(/^DIRECTORY_FILE_INVALID/)[0]);
    expect(line.problems).toEqual([
      'agents[0] (id "dana").maxCalls: Invalid input: expected number, received string',
    ]);
    expect(await agentIds(t.store)).toEqual(['dana', 'avi', 'noa']);
    // Fixing the file brings it back in.
    writeFileSync(t.file, EXAMPLE.replace('maxCalls: 1', 'maxCalls: 2'));
    await until('the fix', async () => (await t.store.getDirectory()).agents[0]?.maxCalls === 2);
  });

  it('re-reads on SIGHUP and on reload()', async () => {
    const t = await setup();
    // A debounce longer than the test: only the signal and reload() can re-read the file.
    source = await startDirectoryFile({
      file: t.file,
      store: t.store,
      log: t.log,
      sighup: true,
      debounceMs: 60_000,
    });
    writeFileSync(t.file, EXAMPLE.replace('priority: 2', 'priority: 3'));
    process.emit('SIGHUP', 'SIGHUP');
    await until('the SIGHUP reload', async () => (await priorityOf(t.store, 'avi')) === 3);
    writeFileSync(t.file, 'agents: [');
    expect(await source.reload()).toBe(false);
    writeFileSync(t.file, EXAMPLE);
    expect(await source.reload()).toBe(true);
    expect(await priorityOf(t.store, 'avi')).toBe(2);
    source.close();
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });

  it('keeps a live status across reloads until the file changes that agent', async () => {
    const t = await setup();
    source = await t.start();
    await t.store.setAgentStatus('dana', 'away', new Date());
    await t.store.setAgentStatus('avi', 'offline', new Date());
    await source.reload();
    const live = async () => (await t.store.getDirectory()).agents.map((a) => a.liveStatus);
    expect(await live()).toEqual(['away', 'offline', 'available']);
    writeFileSync(t.file, EXAMPLE.replace('priority: 2', 'priority: 5'));
    expect(await source.reload()).toBe(true);
    expect(await live()).toEqual(['away', 'available', 'available']);
  });

  it('leaves a file’s last directory to the store when AGENTS_FILE is unset', async () => {
    const t = await setup();
    source = await t.start();
    source.close();
    source = undefined;
    await adoptStoredDirectory(t.store, t.log);
    expect(await t.store.getDirectory()).toMatchObject({ source: 'store' });
    expect(await agentIds(t.store)).toEqual(['dana', 'avi', 'noa']);
  });
});
