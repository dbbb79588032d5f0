// `npm run bench -- --instances N`: AgentLocator as a cluster would run it — N instances on one
// PostgreSQL schema and one Redis (the bus), behind nginx round-robin with deploy/nginx.conf's
// proxy settings (plain HTTP here: TLS is nginx's cost, not ours) — measured as one Target, so
// the load bench compares 1 instance behind nginx with N behind it, side by side.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../support.js';
import { startTarget, type Target, type TargetOptions } from '../targets.js';
import { childPids } from './proc.js';

export interface ClusterBenchOptions {
  instances: number;
  databaseUrl: string;
  redisUrl: string;
  nginx: string;
}

/** The proxy part of deploy/nginx.conf (its `location /` block), pointed at `ports`. */
function siteConf(listen: number, ports: number[]): string {
  const deploy = readFileSync(path.resolve('deploy/nginx.conf'), 'utf8');
  const location = /location \/ \{[\s\S]*?\n {4}\}/.exec(deploy)?.[0];
  if (!location) throw new Error('deploy/nginx.conf has no `location /` block');
  const map = /map \$http_upgrade[\s\S]*?\n\}/.exec(deploy)?.[0] ?? '';
  return [
    'upstream agentlocator {',
    ...ports.map((p) => `  server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`),
    '  keepalive 32;',
    '}',
    map,
    `server {\n  listen 127.0.0.1:${listen};\n  ${location}\n}`,
  ].join('\n');
}

export async function startBehindNginx(
  base: Omit<TargetOptions, 'kind'>,
  opts: ClusterBenchOptions,
): Promise<Target> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: opts.databaseUrl });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const db = new URL(opts.databaseUrl);
  db.searchParams.set('options', `-c search_path=${schema}`);
  const env = {
    ...base.env,
    DATABASE_URL: db.toString(),
    REDIS_URL: opts.redisUrl,
    BUS_CHANNEL: `bench_${schema}`,
    TRUST_PROXY: 'true',
  };
  const instances: Target[] = [];
  // The first migrates the schema; the others find it done.
  instances.push(await startTarget({ ...base, kind: 'ours', env }));
  instances.push(
    ...(await Promise.all(
      Array.from({ length: opts.instances - 1 }, () => startTarget({ ...base, kind: 'ours', env })),
    )),
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-bench-nginx-'));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  writeFileSync(
    conf,
    `${user}daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
      `events { worker_connections 8192; }\nworker_rlimit_nofile 20000;\n` +
      `http {\n  access_log off;\n` +
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((t) => `  ${t}_temp_path ${dir}/${t};\n`)
        .join('') +
      siteConf(
        port,
        instances.map((t) => Number(new URL(t.origin).port)),
      ) +
      '\n}\n',
  );
  execFileSync(opts.nginx, ['-t', '-p', dir, '-c', conf, '-e', `${dir}/error.log`], { stdio: 'pipe' });
  const proxy = spawn(opts.nginx, ['-p', dir, '-c', conf, '-e', `${dir}/error.log`], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${origin}/readyz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 100) throw new Error(`nginx did not start: ${readFileSync(`${dir}/error.log`, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const nginxPid = proxy.pid ?? 0;
  return {
    kind: 'ours',
    origin,
    pid: instances[0]!.pid,
    pids: () => [...instances.flatMap((t) => t.pids()), nginxPid, ...childPids(nginxPid)],
    eventLoopDelay: async () => {
      const all = (await Promise.all(instances.map((t) => t.eventLoopDelay()))).filter(
        (d) => d !== undefined,
      );
      return all.length
        ? { p99: Math.max(...all.map((d) => d.p99)), max: Math.max(...all.map((d) => d.max)) }
        : undefined;
    },
    heap: async () => {
      const all = (await Promise.all(instances.map((t) => t.heap()))).filter((h) => h !== undefined);
      return all.length
        ? {
            usedMB: all.reduce((s, h) => s + h.usedMB, 0),
            totalMB: all.reduce((s, h) => s + h.totalMB, 0),
            externalMB: all.reduce((s, h) => s + h.externalMB, 0),
          }
        : undefined;
    },
    logBytes: () => instances.reduce((s, t) => s + t.logBytes(), 0),
    stop: async () => {
      proxy.kill('SIGQUIT');
      await Promise.all(instances.map((t) => t.stop()));
      const c = new pg.Client({ connectionString: opts.databaseUrl });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
