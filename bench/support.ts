// Shared pieces of the benchmarks: start the built server as its own process, pick a free port,
// summarise samples. Benchmarks print figures; they assert nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  origin: string;
  host: string;
  stop(): Promise<void>;
}

/** Starts `node dist/main.js` (build first with `npm run build`) and waits for /readyz. */
export async function startServerProcess(env: Record<string, string>, cpu?: number): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'agentlocator-bench-'));
  const args = ['dist/main.js'];
  const command = cpu === undefined ? process.execPath : 'taskset';
  const argv = cpu === undefined ? args : ['-c', String(cpu), process.execPath, ...args];
  const child = spawn(command, argv, {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${origin}/readyz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('server did not become ready in 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    origin,
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function summarise(samples: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s.at(-1) ?? NaN };
}

export const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
