// Real TLS in front of the instances: a CA and a server certificate made with the openssl CLI at
// test time, and Debian's nginx (TEST_NGINX) run unprivileged-style from a temp prefix with
// deploy/nginx.conf, only its lines marked "test:" rewritten (ports, certificate, instances).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';

export const TEST_NGINX: string | undefined = process.env.TEST_NGINX?.trim() || undefined;
const DEPLOY_CONF = path.resolve(import.meta.dirname, '../../deploy/nginx.conf');

export interface TestPki {
  caFile: string;
  ca: string;
  certFile: string;
  keyFile: string;
}

/** A CA, and a certificate it signs for `ip` (and `dns`), valid for a day. */
export function makePki(dir: string, ip: string, dns: string): TestPki {
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=AgentLocator test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${dns}`,
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  );
  writeFileSync(f('ext.cnf'), `subjectAltName=IP:${ip},DNS:${dns}\nextendedKeyUsage=serverAuth\n`);
  ssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.pem'),
  );
  return {
    caFile: f('ca.pem'),
    ca: readFileSync(f('ca.pem'), 'utf8'),
    certFile: f('server.pem'),
    keyFile: f('server.key'),
  };
}

/** deploy/nginx.conf for this test: its marked lines pointed at the test's ports and files. */
export function nginxSiteConf(opts: {
  port: number;
  instances: number[];
  pki: TestPki;
  /** The broken variant: the WebSocket Upgrade/Connection headers left out. */
  withoutUpgrade?: boolean;
}): string {
  const lines = readFileSync(DEPLOY_CONF, 'utf8').split('\n');
  const out: string[] = [];
  let instancesDone = false;
  for (const line of lines) {
    const mark = /#\s*test:\s*(\w+)/.exec(line)?.[1];
    if (mark === 'instance') {
      if (!instancesDone)
        for (const p of opts.instances) out.push(`    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`);
      instancesDone = true;
    } else if (mark === 'listen') out.push(`    listen ${opts.port} ssl;`);
    else if (mark === 'server_name') out.push('    server_name _;');
    else if (mark === 'certificate') out.push(`    ssl_certificate ${opts.pki.certFile};`);
    else if (mark === 'key') out.push(`    ssl_certificate_key ${opts.pki.keyFile};`);
    else if (opts.withoutUpgrade && /proxy_set_header (Upgrade|Connection) /.test(line)) continue;
    else out.push(line);
  }
  return out.join('\n');
}

export interface RunningNginx {
  url: string;
  errors(): string;
  stop(): Promise<void>;
}

export async function startNginx(dir: string, site: string, port: number, ca: string): Promise<RunningNginx> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const conf = path.join(dir, 'nginx.conf');
  const errorLog = path.join(dir, 'error.log');
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  writeFileSync(
    conf,
    `${user}daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${errorLog} warn;\n` +
      `events { worker_connections 1024; }\nhttp {\n  access_log ${dir}/access.log;\n` +
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((t) => `  ${t}_temp_path ${dir}/${t}_temp;\n`)
        .join('') +
      `${site}\n}\n`,
  );
  execFileSync(TEST_NGINX!, ['-t', '-p', dir, '-c', conf, '-e', errorLog], { stdio: 'pipe' });
  const child: ChildProcess = spawn(TEST_NGINX!, ['-p', dir, '-c', conf, '-e', errorLog], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const req = https.get(
        `${url}/healthz`,
        { ca, servername: undefined, rejectUnauthorized: false },
        (res) => {
          res.resume();
          resolve(true);
        },
      );
      req.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline)
      throw new Error(`nginx did not listen on ${port}: ${readFileSync(errorLog, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    errors: () => readFileSync(errorLog, 'utf8'),
    stop: async () => {
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
