// Path traversal on every route that serves a file (issue 15, part 5): the dashboard (`/`,
// `/assets/*`, page fallbacks), the greeting under /static, and recording audio (signed in as
// admin). Paths go out byte for byte (node:http, not fetch, which would normalise `..` away);
// every answer is a 4xx or the route's own file, never a file outside its root, never a 5xx.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrmTestServer, type CrmTestServer } from '../api/crm-app.js';

const SECRET = 'SECRET-OUTSIDE-THE-ROOT-7f3a';

const ups = [
  '../',
  '..%2f',
  '..%2F',
  '%2e%2e/',
  '%2e%2e%2f',
  '.%2e/',
  '%2e./',
  '..\\',
  '..%5c',
  '%252e%252e%252f',
  '....//',
  '..;/',
  '%c0%ae%c0%ae/',
  '..%00/',
];
const targets = ['secret.txt', 'etc/passwd', 'data/local-auth-token', 'data/agentlocator.db'];
const prefixes = [
  '/',
  '/assets/',
  '/assets/sub/',
  '/static/',
  '/static/tts/',
  '/favicon.svg/',
  '/api/v1/recordings/',
];

/** The traversal paths: each prefix, 1 to 8 steps up, each target, a NUL-suffixed twin. */
function paths(): string[] {
  const out: string[] = [];
  for (const prefix of prefixes)
    for (const up of ups)
      for (const depth of [1, 3, 8])
        for (const target of targets) {
          const p = `${prefix}${up.repeat(depth)}${target}`;
          out.push(p, `${p}%00.svg`);
          if (prefix.startsWith('/api/')) out.push(`${p}/audio`);
        }
  return out;
}

function get(origin: string, rawPath: string, cookie: string): Promise<{ status: number; body: string }> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: rawPath, method: 'GET', headers: { cookie } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('path traversal', () => {
  let s: CrmTestServer;
  let root: string;

  beforeAll(async () => {
    // root/secret.txt sits next to root/web (the dashboard) and root/data (DATA_DIR).
    root = mkdtempSync(path.join(tmpdir(), 'agentlocator-traversal-'));
    const web = path.join(root, 'web');
    mkdirSync(path.join(web, 'assets', 'sub'), { recursive: true });
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>dash</title>');
    writeFileSync(path.join(web, 'favicon.svg'), '<svg/>');
    writeFileSync(path.join(web, 'assets', 'app-1.js'), 'console.log(1)');
    writeFileSync(path.join(root, 'secret.txt'), SECRET);
    s = await startCrmTestServer({ DASHBOARD_DIR: web, DATA_DIR: path.join(root, 'data') });
  });
  afterAll(async () => {
    await s?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('never serves a file outside its root, on any of the file routes', async () => {
    const admin = await s.client('admin');
    const cookie = [...admin.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const token = readFileSync(path.join(s.dataDir, 'session-secret'), 'latin1').slice(0, 16);
    const all = paths();
    const statuses = new Map<number, number>();
    const leaks: string[] = [];
    for (let i = 0; i < all.length; i += 32) {
      const batch = all.slice(i, i + 32);
      const answers = await Promise.all(batch.map((p) => get(s.origin, p, cookie)));
      for (const [j, a] of answers.entries()) {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        const p = batch[j]!;
        if (a.status >= 500) leaks.push(`${p} → ${a.status}`);
        if (
          a.body.includes(SECRET) ||
          a.body.includes('root:x:0') ||
          a.body.includes('SQLite format') ||
          a.body.includes(token)
        )
          leaks.push(`${p} → ${a.status} leaked`);
        // A 200 is only ever the dashboard's own page (the SPA fallback), never another file.
        if (a.status === 200 && !a.body.includes('<title>dash</title>'))
          leaks.push(`${p} → 200 ${a.body.slice(0, 40)}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(all.length).toBeGreaterThan(2000);
    // The routes are alive: their own files are served.
    expect((await get(s.origin, '/assets/app-1.js', cookie)).status).toBe(200);
    expect((await get(s.origin, '/favicon.svg', cookie)).status).toBe(200);
    console.warn(
      `path traversal: ${all.length} paths, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  }, 60_000);
});
