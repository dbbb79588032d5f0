// The real server as its own process (`npm start`'s entry, src/main.ts under tsx), so the
// reliability suites measure its memory alone (/proc/<pid>/status), can kill -9 it, and restart
// it on the same data directory. Its log goes to a file the caller may read.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeMp3 } from '../../src/audio/mp3.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const AUTH_TOKEN = 'reliability-token-0123456789abcdef';
export const ACCOUNT_SID = 'AC' + 'f'.repeat(32);
export const PUBLIC_HOST = 'agents.example.com';

export interface ServerProcess {
  pid: number;
  origin: string;
  port: number;
  dataDir: string;
  logFile: string;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  /** SIGTERM (drain) or SIGKILL; resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

export interface ServerProcessOptions {
  port: number;
  dataDir?: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** The call flow: one prompt then voicemail (default), or the built-in receptionist. */
  flow?: 'voicemail' | 'default';
}

let greetingFile: string | undefined;
function greeting(): string {
  if (!greetingFile) {
    greetingFile = path.join(tmpdir(), `agentlocator-rel-greeting-${process.pid}.mp3`);
    writeFileSync(greetingFile, encodeMp3(new Int16Array(1600), 8000));
  }
  return greetingFile;
}

/** A flow that sends every caller to voicemail after one prompt: a call the caller hears. */
export function voicemailFlowFile(): string {
  const file = path.join(tmpdir(), `agentlocator-rel-flow-${process.pid}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      start: 'handoff',
      goodbyeNoInput: 'להתראות',
      steps: { handoff: { type: 'transfer', prompt: 'מעבירים אתכם לתא הקולי.', department: 'sales' } },
    }),
  );
  return file;
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

export async function startServerProcess(opts: ServerProcessOptions): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'agentlocator-rel-'));
  const logFile = path.join(dataDir, `server-${Date.now()}.log`);
  const out = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(opts.port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      PUBLIC_HOST,
      LOG_LEVEL: 'warn',
      DRAIN_TIMEOUT_MS: '0',
      GREETING_FILE: greeting(),
      PROMPT_CACHE_DIR: path.join(tmpdir(), 'agentlocator-test-prompts'),
      ...(opts.flow === 'default' ? {} : { FLOW_FILE: voicemailFlowFile() }),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone)
      throw new Error(`server exited before /readyz; log: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    const ok = await fetch(`${origin}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`no /readyz within the deadline; log: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid ?? 0;
  return {
    pid,
    origin,
    port: opts.port,
    dataDir,
    logFile,
    rss: () => rssOf(pid),
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
}

/** The server's JSON log lines so far; a line still being written is left for the next read. */
export function logLines(file: string): { msg: string; [k: string]: unknown }[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop(); // after the last newline: empty, or a line not yet complete
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string });
}
