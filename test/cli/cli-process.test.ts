// The `agentlocator` command as a process (src/cli/main.ts under tsx, as the built bin runs it):
// exit statuses, --json, plain text on a pipe, the local token file, call/twiml/migrate, usage errors.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeWav } from '../../src/audio/wav.js';
import { startTestServer, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestServer } from '../support/server.js';
import { FAKE_TOKEN, startFake, type FakeServer } from './fake-agentlocator.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'cli-process-'));

let server: TestServer | undefined;
let fake: FakeServer | undefined;
afterEach(async () => {
  await server?.stop();
  await fake?.close();
  server = undefined;
  fake = undefined;
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `agentlocator …` with only the environment given (plus PATH), never the test runner's. */
function agentlocator(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: path.join(dir, 'data'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('agentlocator (the process)', () => {
  it('doctor --json against a healthy server signs with the server’s local token file and exits 0', async () => {
    // No TWILIO_AUTH_TOKEN: the server writes DATA_DIR/local-auth-token; the CLI reads the same file.
    server = await startTestServer({ TWILIO_AUTH_TOKEN: '' });
    const run = await agentlocator(['doctor', server.origin, '--json', '--call-seconds', '0.5'], {
      DATA_DIR: server.dataDir,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      tokenSource: string;
      checks: { status: string; id: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.tokenSource).toContain('local-auth-token');
    expect(report.checks.map((c) => c.id)).toEqual([
      'readyz',
      'incoming-call',
      'stream-url',
      'play-files',
      'ws-upgrade',
      'tls',
      'emulated-call',
      'signatures',
    ]);
    // The server has no real Twilio token: /readyz says so, as a warning.
    expect(report.checks[0]!.status).toBe('warn');
  });

  it('doctor on a pipe prints plain text, names the cause and exits 1 when a check fails', async () => {
    fake = await startFake({ wsPaths: [] });
    const run = await agentlocator(['doctor', fake.origin, '--auth-token', FAKE_TOKEN]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('\u001b[');
    expect(run.stdout).toContain('[FAIL] 5. WebSocket upgrade');
    expect(run.stdout).toContain(
      'problem [ws-not-found] · Twilio 31920 Stream - WebSocket - Handshake Error',
    );
    expect(run.stdout).toContain('NOT healthy');
  });

  it('call speaks a WAV, presses keys, writes what the agent said, and prints the timeline', async () => {
    server = await startTestServer();
    const wav = path.join(dir, 'caller.wav');
    writeFileSync(
      wav,
      writeWav({ encoding: 'pcm16', sampleRate: 22050, samples: new Int16Array(22050 / 2).fill(1000) }),
    );
    const out = path.join(dir, 'agent.wav');
    const run = await agentlocator([
      'call',
      server.origin,
      '--auth-token',
      TEST_AUTH_TOKEN,
      '--audio',
      wav,
      '--dtmf',
      '2',
      '--out',
      out,
      '--duration',
      '1',
      '--account-sid',
      TEST_ACCOUNT_SID,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('caller audio done (0.5 s)');
    expect(run.stdout).toContain('caller presses 2');
    expect(run.stdout).toContain('Twilio errors: none');
    expect(existsSync(out)).toBe(true);
  });

  it('twiml prints the TwiML a signed call gets; a usage mistake exits 2 and says what is wrong', async () => {
    server = await startTestServer();
    const [twiml, usage, badDtmf] = await Promise.all([
      agentlocator(['twiml', server.origin, '--auth-token', TEST_AUTH_TOKEN]),
      agentlocator(['doctor']),
      agentlocator(['call', server.origin, '--auth-token', 'x', '--dtmf', 'z']),
    ]);
    expect(twiml.code).toBe(0);
    expect(twiml.stdout).toMatch(
      /^<\?xml.*<Connect action="\/webhook\/stream_ended".*<Stream url="wss:\/\//s,
    );
    expect(twiml.stderr).toMatch(/→ 200 in \d+ ms/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('a URL is required');
    expect(badDtmf.code).toBe(2);
    expect(badDtmf.stderr).toContain('--dtmf z');
  });

  it('serve runs the server until SIGTERM, then drains and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: path.join(dir, 'serve'),
        PROMPT_CACHE_DIR: path.join(tmpdir(), 'agentlocator-test-prompts'),
        DRAIN_TIMEOUT_MS: '0',
      },
    });
    let out = '';
    const listening = new Promise<string>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1];
        if (url) resolve(url);
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await listening;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('STOPPED');
  });

  it('migrate creates the SQLite schema in DATA_DIR; a bad configuration exits 78 naming the variable', async () => {
    const dataDir = path.join(dir, 'migrate');
    const [ok, bad] = await Promise.all([
      agentlocator(['migrate'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
      agentlocator(['migrate'], { DATA_DIR: dataDir, DATABASE_URL: 'mysql://nope' }),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`schema up to date: SQLite ${path.join(dataDir, 'agentlocator.sqlite')}`);
    expect(existsSync(path.join(dataDir, 'agentlocator.sqlite'))).toBe(true);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('DATABASE_URL');
  });
});
