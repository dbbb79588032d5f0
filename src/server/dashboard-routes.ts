// The dashboard (the Vite build in config.dashboardDir) at `/`: hashed assets cached for good,
// index.html never cached, page paths fall back to it; the strict headers are set on all of it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Paths the server's own routes own: a miss there stays the app's 404/405 JSON, never the SPA. */
const RESERVED = ['/api', '/webhook', '/ws', '/static', '/healthz', '/readyz', '/metrics'];

/** Self only; no inline script or style; nobody may frame the dashboard. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AgentLocator: dashboard not built</title></head>
<body><h1>The dashboard is not built</h1>
<p>Run <code>npm run build</code> (server and dashboard) or <code>npx vite build --config web/vite.config.ts</code>
(dashboard only), then reload. The API, webhooks and media streams work without it.</p>
<p>Looked for: <code>DIR</code></p></body></html>
`;

function isReserved(urlPath: string): boolean {
  return RESERVED.some((p) => urlPath === p || urlPath.startsWith(`${p}/`));
}

export async function dashboardRoutes(app: FastifyInstance, dashboardDir: string): Promise<void> {
  const indexFile = path.join(dashboardDir, 'index.html');
  const assetsDir = path.join(dashboardDir, 'assets');

  // Only reply.sendFile (ranges, ETag, no dotfiles, no escaping the root); the routes are ours.
  await app.register(fastifyStatic, { serve: false });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply
      .header('content-security-policy', DASHBOARD_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'same-origin');
    return payload;
  });

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(indexFile)) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(NOT_BUILT.replace('DIR', dashboardDir));
    }
    return reply
      .header('cache-control', 'no-cache')
      .sendFile('index.html', dashboardDir, { cacheControl: false });
  };

  app.get('/', async (_request, reply) => sendIndex(reply));

  // Vite names every file under assets/ by its content hash: a changed file is a new name.
  app.get('/assets/*', async (request, reply) => {
    // The raw path: send() decodes it once itself (and refuses one that escapes the root).
    const file = (request.url.split('?')[0] ?? '').slice('/assets/'.length);
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .sendFile(file, assetsDir, { cacheControl: false });
  });

  app.get('/*', async (request, reply) => {
    const urlPath = request.url.split('?')[0] ?? '/';
    if (isReserved(urlPath)) return reply.callNotFound();
    const last = urlPath.slice(urlPath.lastIndexOf('/') + 1);
    // A file name (favicon.svg, robots.txt): from the build's root, briefly cached; else a page.
    if (last.includes('.')) {
      return reply
        .header('cache-control', 'public, max-age=3600')
        .sendFile(urlPath.slice(1), dashboardDir, { cacheControl: false });
    }
    return sendIndex(reply);
  });
}
