// The real thing in front: Debian's nginx terminating TLS (a CA and certificate made now; the
// emulator and the doctor trust that CA) with deploy/nginx.conf, round-robin without sticky
// sessions over three `agentlocator serve` processes on one PostgreSQL schema and one Redis.
// Calls placed through nginx's URL have their webhook and stream on different instances; an
// instance SIGTERMed with live calls lets every one of them finish; `agentlocator doctor` through
// nginx exits 0, and through the same config without the Upgrade/Connection headers names 31920.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMp3 } from '../../src/audio/mp3.js';
import { TwilioEmulator, type EmulatedCall } from '../../src/emulator/index.js';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { TEST_REDIS_URL } from '../support/cluster.js';
import { makePki, nginxSiteConf, startNginx, TEST_NGINX, type RunningNginx } from '../support/nginx.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { DIRECT_FRAMES, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, freePort } from '../support/server.js';
import { until } from '../support/until.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// Twilio dials a public name; a loopback URL would be taken for a local test server without TLS
// (network.ts), so the machine's own non-loopback address stands in for the public host.
const LAN_IP = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
const skip = !TEST_NGINX
  ? 'set TEST_NGINX=/usr/sbin/nginx'
  : !TEST_DATABASE_URL
    ? 'set TEST_DATABASE_URL'
    : !TEST_REDIS_URL
      ? 'set TEST_REDIS_URL'
      : !LAN_IP
        ? 'no non-loopback IPv4 address to serve TLS on'
        : undefined;

function doctor(url: string, caFile: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'doctor', url, '--call-seconds', '1'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_EXTRA_CA_CERTS: caFile,
          TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
          TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
          NO_COLOR: '1',
        },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe.skipIf(skip)(`three instances behind nginx with TLS${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let schema: string;
  let pki: ReturnType<typeof makePki>;
  let nginx: RunningNginx;
  let broken: RunningNginx;
  let servers: ServerProcess[] = [];
  let emulator: TwilioEmulator;
  let publicUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-nginx-'));
    pki = makePki(dir, LAN_IP!, 'agents.test');
    schema = `t_nginx_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    await admin.end();
    const db = new URL(TEST_DATABASE_URL!);
    db.searchParams.set('options', `-c search_path=${schema}`);
    const greeting = path.join(dir, 'greeting.mp3');
    writeFileSync(greeting, encodeMp3(new Int16Array(1600), 8000));
    const env = (name: string): Record<string, string> => ({
      DATABASE_URL: db.toString(),
      REDIS_URL: TEST_REDIS_URL!,
      BUS_CHANNEL: `t_bus_${schema}`,
      TRUST_PROXY: 'true',
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      SESSION_SECRET: 'nginx-cluster-session-secret-0123456789',
      DATA_DIR: path.join(dir, name),
      GREETING_FILE: greeting,
      PROMPT_CACHE_DIR: path.join(tmpdir(), 'agentlocator-test-prompts'),
      DRAIN_TIMEOUT_MS: '60000',
      // .ci/run's second pass (WS_DIRECT_FRAMES=false) reaches the instances too.
      WS_DIRECT_FRAMES: String(DIRECT_FRAMES),
    });
    const ports = [await freePort(), await freePort(), await freePort()];
    // The first migrates the schema; the others then start side by side.
    servers = [await startServerProcess('A', ports[0]!, env('a'))];
    servers.push(
      ...(await Promise.all(['B', 'C'].map((n, i) => startServerProcess(n, ports[i + 1]!, env(n))))),
    );
    const [port, brokenPort] = [await freePort(), await freePort()];
    nginx = await startNginx(
      path.join(dir, 'ok'),
      nginxSiteConf({ port, instances: ports, pki }),
      port,
      pki.ca,
    );
    broken = await startNginx(
      path.join(dir, 'broken'),
      nginxSiteConf({ port: brokenPort, instances: ports, pki, withoutUpgrade: true }),
      brokenPort,
      pki.ca,
    );
    publicUrl = `https://${LAN_IP}:${port}`;
    emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, ca: pki.ca });
  }, 120_000);

  afterAll(async () => {
    await emulator?.close();
    await Promise.allSettled([nginx?.stop(), broken?.stop()]);
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await Promise.allSettled(servers.map((s) => s.exited));
    if (schema) {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const place = (hangUpAfterMs: number): EmulatedCall =>
    emulator.placeCall({
      webhookUrl: `${publicUrl}/webhook/incoming_call`,
      statusCallbackUrl: `${publicUrl}/webhook/call_status`,
      caller: { hangUpAfterMs },
    });
  const holder = (what: string, callSid: string) => servers.filter((s) => s.find(what, callSid).length > 0);

  it('serves calls through nginx with webhook and stream on different instances', async () => {
    const calls = Array.from({ length: 6 }, () => place(8000));
    const results = await Promise.all(calls.map((c) => c.done));
    for (const r of results) {
      expect(r.violations.filter((v) => v.severity === 'error')).toEqual([]);
      expect(r.status).toBe('completed');
      expect(r.streams[0]).toMatchObject({
        url: `wss://${LAN_IP}:${nginx.url.split(':').at(-1)}/ws/twilio-media`,
      });
      expect(r.streams[0]).toMatchObject({ downgraded: false, endedBy: 'caller' });
      // The agent's audio came back through nginx (caller frames went the other way).
      expect(r.timeline.some((e) => e.kind === 'first-media-received')).toBe(true);
    }
    const split = calls.filter((c) => {
      const [webhook] = holder('TWIML_CONNECT_STREAM', c.callSid);
      const [stream] = holder('WS_START', c.callSid);
      expect(webhook && stream).toBeTruthy();
      return webhook !== stream;
    });
    expect(split.length).toBeGreaterThan(0);
  }, 60_000);

  it('lets every live call finish when an instance is SIGTERMed', async () => {
    const calls = Array.from({ length: 4 }, () => place(5000));
    await until(() => calls.every((c) => holder('WS_START', c.callSid).length === 1), 'four live streams');
    const victim = servers.find((s) => calls.some((c) => s.find('WS_START', c.callSid).length > 0))!;
    const theirs = calls.filter((c) => victim.find('WS_START', c.callSid).length > 0);
    victim.child.kill('SIGTERM');
    await until(() => victim.find('DRAIN').length > 0, `${victim.name} draining`);
    const results = await Promise.all(calls.map((c) => c.done));
    for (const r of results) {
      expect(r.status).toBe('completed');
      expect(r.endedBy).toBe('caller');
      // Not cut by the drain (1001): the caller hung up on a stream that lasted.
      expect(r.streams[0]!.closeCode).not.toBe(1001);
    }
    expect(theirs.length).toBeGreaterThan(0);
    expect(await victim.exited).toBe(0);
    expect(victim.find('STOPPED')).toHaveLength(1);
    servers = servers.filter((s) => s !== victim);
    // The two left still take calls through the same nginx.
    expect((await place(500).done).status).toBe('completed');
  }, 90_000);

  it('passes agentlocator doctor through nginx; without the Upgrade headers doctor names 31920', async () => {
    const ok = await doctor(publicUrl, pki.caFile);
    expect(ok.out).not.toMatch(/✗|FAIL/);
    expect(ok.code).toBe(0);
    const bad = await doctor(`https://${LAN_IP}:${broken.url.split(':').at(-1)}`, pki.caFile);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('31920');
  }, 120_000);
});
