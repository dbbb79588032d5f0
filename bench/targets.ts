// The processes the load bench measures, each started fresh for every point and pinned to its CPU:
// AgentLocator (`node dist/main.js`, every feature on), its multi-core mode (`node
// dist/cluster.js`), and the bare relay (bench/bare-relay.ts, run as plain JS). Each reports its pids (for /proc
// CPU and RSS) and its event-loop delay since the last asking.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { freePort } from './support.js';
import { childPids, pin } from './load/proc.js';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN } from './load/dial.js';

/** lbN: N AgentLocator instances on PostgreSQL + Redis behind nginx (load/behind-nginx.ts). */
export type TargetKind = 'ours' | 'bare' | 'cluster' | 'lb1' | 'lb2' | 'lb3';

export interface TargetOptions {
  kind: TargetKind;
  /** ws:// URL of the fake Realtime endpoint (no query). */
  realtimeUrl: string;
  /** CPU list for taskset ("0"), or undefined to let the scheduler place it. */
  cpus: string | undefined;
  /** Shared, persistent caches (rendered prompts, greeting MP3) so start-up renders nothing. */
  cacheDir: string;
  greetingFile: string | undefined;
  /** Extra environment for AgentLocator (ablations: RECORD_CALLS=false, DATABASE_URL=…). */
  env: Record<string, string>;
  /** Open the inspector on this port (CPU profile of the steady window). */
  inspectPort?: number;
  workers?: number;
  /** Extra node flags for the target (e.g. --perf-basic-prof). */
  nodeFlags?: string[];
  /** Where the server was built (`npm run bench` builds into .bench/dist, away from dist/). */
  distDir: string;
}

export interface Target {
  kind: TargetKind;
  origin: string;
  pid: number;
  /** The process and its workers. */
  pids(): number[];
  /** Event-loop delay p99 and max (ms) since the previous call; undefined when not exposed. */
  eventLoopDelay(): Promise<{ p99: number; max: number } | undefined>;
  /** V8 heap in use and reserved, and memory outside it (Buffers), in MB; undefined when not exposed. */
  heap(): Promise<{ usedMB: number; totalMB: number; externalMB: number } | undefined>;
  /** Bytes the server logged so far. */
  logBytes(): number;
  stop(): Promise<void>;
}

/**
 * The bare relay as plain JavaScript: run under tsx, its process would also carry the loader's
 * thread and module parsing, which are not the relay's cost.
 */
function bareRelayScript(): string {
  const out = path.resolve('.bench/bare-relay.mjs');
  const source = readFileSync(path.resolve('bench/bare-relay.ts'), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  writeFileSync(out, js);
  return out;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopper(child: ChildProcess, cleanup: () => void): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const done = () => {
        clearTimeout(force);
        cleanup();
        resolve();
      };
      // A target that already exited (e.g. it failed to start) is only cleaned up.
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
    });
}

/**
 * Both targets sample the loop with a 10 ms timer (prom-client's default), and Node records the
 * whole interval: the delay is what exceeds the 10 ms.
 */
const LOOP_RESOLUTION_MS = 10;
const beyondTick = (d: { p99: number; max: number }) => ({
  p99: Math.max(0, d.p99 - LOOP_RESOLUTION_MS),
  max: Math.max(0, d.max - LOOP_RESOLUTION_MS),
});

/** Reads prom-client's event-loop gauges (they reset on every scrape). */
async function scrapeEventLoop(origin: string): Promise<{ p99: number; max: number } | undefined> {
  try {
    const text = await (await fetch(`${origin}/metrics`)).text();
    const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1]);
    const p99 = read('nodejs_eventloop_lag_p99_seconds') * 1000;
    const max = read('nodejs_eventloop_lag_max_seconds') * 1000;
    return Number.isFinite(p99) ? beyondTick({ p99, max }) : undefined;
  } catch {
    return undefined;
  }
}

export async function startTarget(opts: TargetOptions): Promise<Target> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), `agentlocator-bench-${opts.kind}-`));
  const logFile = path.join(dataDir, 'server.log');
  const out = openSync(logFile, 'w');
  const nodeFlags = [
    ...(opts.inspectPort ? [`--inspect=127.0.0.1:${opts.inspectPort}`] : []),
    ...(opts.nodeFlags ?? []),
  ];
  let args: string[];
  let env: NodeJS.ProcessEnv;
  if (opts.kind === 'bare') {
    args = [...nodeFlags, bareRelayScript(), '--port', String(port), '--upstream', opts.realtimeUrl];
    env = { ...process.env, ...opts.env };
  } else {
    args =
      opts.kind === 'cluster'
        ? [...nodeFlags, `${opts.distDir}/cluster.js`, '--workers', String(opts.workers ?? 2)]
        : [...nodeFlags, `${opts.distDir}/main.js`];
    env = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PROMPT_CACHE_DIR: path.join(opts.cacheDir, 'prompts'),
      ...(opts.greetingFile ? { GREETING_FILE: opts.greetingFile } : {}),
      AGENT: 'openai-realtime',
      OPENAI_REALTIME_URL: opts.realtimeUrl,
      OPENAI_API_KEY: 'sk-bench',
      TWILIO_AUTH_TOKEN: BENCH_AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: BENCH_ACCOUNT_SID,
      // Every feature on: production log level, recordings, metrics, transcripts (configured).
      LOG_LEVEL: 'info',
      RECORD_CALLS: 'true',
      DATABASE_URL: '',
      REDIS_URL: '',
      // The sweep measures where the server breaks: the capacity caps (set from it) stay out of the way.
      MAX_CALLS: '100000',
      ...opts.env,
    };
  }
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  const pid = child.pid ?? 0;
  if (opts.cpus !== undefined && !pin(pid, opts.cpus)) {
    console.warn(`taskset failed: ${opts.kind} runs unpinned`);
  }
  const readyUrl = opts.kind === 'bare' ? `${origin}/stats` : `${origin}/readyz`;
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    await waitReady(readyUrl, child, 60_000);
  } catch (err) {
    await stopper(child, cleanup)();
    throw err;
  }
  const pids = () => [pid, ...childPids(pid)];
  if (opts.cpus !== undefined) for (const p of pids().slice(1)) pin(p, opts.cpus);
  return {
    kind: opts.kind,
    origin,
    pid,
    pids,
    eventLoopDelay: async () => {
      if (opts.kind !== 'bare') return scrapeEventLoop(origin);
      try {
        return beyondTick((await (await fetch(`${origin}/stats`)).json()) as { p99: number; max: number });
      } catch {
        return undefined;
      }
    },
    heap: async () => {
      if (opts.kind === 'bare') return undefined;
      try {
        const text = await (await fetch(`${origin}/metrics`)).text();
        const mb = (name: string) =>
          Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1]) / 1024 / 1024;
        return {
          usedMB: mb('nodejs_heap_size_used_bytes'),
          totalMB: mb('nodejs_heap_size_total_bytes'),
          externalMB: mb('nodejs_external_memory_bytes'),
        };
      } catch {
        return undefined;
      }
    },
    logBytes: () => {
      try {
        return statSync(logFile).size;
      } catch {
        return 0;
      }
    },
    stop: stopper(child, cleanup),
  };
}
