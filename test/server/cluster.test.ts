// The multi-core mode as an operator runs it: `src/cluster.ts --workers 2` in its own process on one
// port, answering Twilio's signed webhook with the token the primary created once, and draining
// every worker on SIGTERM.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeMp3 } from '../../src/audio/mp3.js';
import { freePort, incomingCallParams, newCallSid, postSigned } from '../support/server.js';
import { until } from '../support/until.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'agentlocator-cluster-'));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the cluster entry point', () => {
  it('serves one port from every worker and drains them all on SIGTERM', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const greeting = path.join(dataDir, 'greeting.mp3');
    writeFileSync(greeting, encodeMp3(new Int16Array(1600), 8000));
    const lines: { msg: string; worker?: number; role?: string }[] = [];
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cluster.ts', '--workers', '2'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        GREETING_FILE: greeting,
        LOG_LEVEL: 'info',
        TWILIO_AUTH_TOKEN: '',
        DATABASE_URL: '',
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts)
        if (line.startsWith('{')) lines.push(JSON.parse(line) as (typeof lines)[number]);
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const origin = `http://127.0.0.1:${port}`;

    const listening = () => lines.filter((l) => l.msg.startsWith('AgentLocator listening'));
    // Two worker processes compile (tsx), open the store and load the greeting first: a few
    // seconds idle, a minute on a CI machine running other suites beside it.
    await until(() => listening(), 'both workers to listen', {
      is: (l) => l.length === 2,
      timeoutMs: 90_000,
    });
    expect(new Set(listening().map((l) => l.worker))).toEqual(new Set([1, 2]));
    expect(lines.filter((l) => l.msg === 'store schema migrated')).toHaveLength(1);

    // Every worker checks signatures with the one local token the primary created before forking.
    const token = readFileSync(path.join(dataDir, 'local-auth-token'), 'utf8').trim();
    for (let i = 0; i < 4; i++) {
      const callSid = newCallSid();
      const res = await postSigned(`${origin}/webhook/incoming_call`, incomingCallParams(callSid), { token });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<Stream');
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.filter((l) => l.msg === 'WORKER_DRAIN')).toHaveLength(2);
    expect(lines.some((l) => l.msg === 'CLUSTER_STOPPED')).toBe(true);
  });
});
