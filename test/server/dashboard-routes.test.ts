// The dashboard at `/`: cache headers (hashed assets for good, index.html never), the page-path
// fallback that never swallows the server's own 404/405 JSON, the strict headers, and a clear
// answer when the dashboard was not built.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request as httpRequest } from 'node:http';
import { startTestServer, type TestServer } from '../support/server.js';

const INDEX =
  '<!doctype html><html dir="rtl" lang="he"><head><script type="module" src="/assets/app-1a2b3c.js"></script></head><body><div id="app"></div></body></html>';
const SCRIPT = 'console.log("dashboard")';

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(origin: string, rawPath: string): Promise<{ status: number; body: string }> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the built dashboard', () => {
  let s: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-dashboard-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'assets', 'app-1a2b3c.js'), SCRIPT);
    writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    s = await startTestServer({ DASHBOARD_DIR: dir });
  });
  afterAll(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / uncached, with a strict CSP and no framing', async () => {
    const res = await fetch(`${s.origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toBe(INDEX);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers page paths (with ids and queries) with the same index.html', async () => {
    for (const page of ['/live', '/calls', `/calls/CA${'a'.repeat(32)}`, '/leads?status=new', '/settings/']) {
      const res = await fetch(`${s.origin}${page}`);
      expect(res.status, page).toBe(200);
      expect(await res.text(), page).toBe(INDEX);
      expect(res.headers.get('cache-control'), page).toBe('no-cache');
    }
  });

  it('caches hashed assets for a year as immutable, and answers byte ranges', async () => {
    const res = await fetch(`${s.origin}/assets/app-1a2b3c.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe(SCRIPT);
    const part = await fetch(`${s.origin}/assets/app-1a2b3c.js`, { headers: { range: 'bytes=0-6' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('console');
  });

  it('serves root files of the build (the favicon) briefly cached', async () => {
    const res = await fetch(`${s.origin}/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('answers a missing asset or file with the 404 JSON, not the page', async () => {
    for (const missing of ['/assets/gone-123.js', '/robots.txt']) {
      const res = await fetch(`${s.origin}${missing}`);
      expect(res.status, missing).toBe(404);
      expect(await res.json(), missing).toMatchObject({ error: 'NOT_FOUND' });
    }
  });

  it('keeps the server’s own 404 and 405 JSON on its paths', async () => {
    const cases: [string, string, number, string][] = [
      ['GET', '/api/v1/no-such-thing', 404, 'NOT_FOUND'],
      ['GET', '/api', 404, 'NOT_FOUND'],
      ['GET', '/webhook/incoming_call', 405, 'METHOD_NOT_ALLOWED'],
      ['GET', '/webhook/nothing', 404, 'NOT_FOUND'],
      ['GET', '/ws/elsewhere', 404, 'NOT_FOUND'],
      ['GET', '/static/tts/other.mp3', 404, 'NOT_FOUND'],
      ['GET', '/healthz/deep', 404, 'NOT_FOUND'],
      ['GET', '/readyz/x', 404, 'NOT_FOUND'],
      ['GET', '/metrics/x', 404, 'NOT_FOUND'],
      ['POST', '/calls', 404, 'NOT_FOUND'],
      ['POST', '/healthz', 405, 'METHOD_NOT_ALLOWED'],
    ];
    for (const [method, url, status, error] of cases) {
      const res = await fetch(`${s.origin}${url}`, { method });
      expect(res.status, `${method} ${url}`).toBe(status);
      expect(res.headers.get('content-type'), `${method} ${url}`).toMatch(/^application\/json/);
      expect(await res.json(), `${method} ${url}`).toMatchObject({ error });
    }
    // The real routes still answer as before.
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
  });

  it('never serves a file outside the build', async () => {
    // A file beside the build directory, named for it (parallel runs do not share it).
    const name = `${path.basename(dir)}-outside.txt`;
    const outside = path.join(path.dirname(dir), name);
    writeFileSync(outside, 'private-bytes-7f3e');
    try {
      for (const raw of [`/assets/..%2f..%2f${name}`, `/assets/%2e%2e/%2e%2e/${name}`, `/..%2f${name}`]) {
        const res = await rawGet(s.origin, raw);
        expect(res.body, raw).not.toContain('private-bytes-7f3e');
        expect(res.status, raw).toBeGreaterThanOrEqual(400);
        expect(res.status, raw).toBeLessThan(500);
      }
    } finally {
      rmSync(outside, { force: true });
    }
  });
});

describe('without a built dashboard', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ DASHBOARD_DIR: path.join(tmpdir(), 'agentlocator-no-such-dashboard') });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('says at / and on page paths how to build it, while the server works', async () => {
    for (const page of ['/', '/calls']) {
      const res = await fetch(`${s.origin}${page}`);
      expect(res.status, page).toBe(503);
      const text = await res.text();
      expect(text, page).toContain('npm run build');
      expect(text, page).toContain('agentlocator-no-such-dashboard');
    }
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
  });
});
