// An instance as its own process (`agentlocator serve` under tsx), so a test can SIGTERM it as a
// process manager would; its JSON log lines are collected from stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  name: string;
  port: number;
  lines: { msg: string; [k: string]: unknown }[];
  exited: Promise<number | null>;
  child: ChildProcess;
  /** Log lines whose msg starts with `msg` (and, when given, of this call). */
  find(msg: string, callSid?: string): { msg: string; [k: string]: unknown }[];
}

export async function startServerProcess(
  name: string,
  port: number,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: ServerProcess['lines'] = [];
  let rest = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) {
        if (!p.trim()) continue;
        try {
          const line = JSON.parse(p) as ServerProcess['lines'][number];
          lines.push(line);
          if (line.msg.startsWith('AgentLocator listening')) resolve();
        } catch {
          /* not a log line */
        }
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`${name} exited ${code} before listening: ${stderr.slice(-2000)}`)),
    );
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await listening;
  return {
    name,
    port,
    lines,
    exited,
    child,
    find: (msg, callSid) =>
      lines.filter((l) => l.msg.startsWith(msg) && (callSid === undefined || l.callSid === callSid)),
  };
}
