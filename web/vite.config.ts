// Builds the dashboard (web/) into dist/web, which the server serves at `/`.
// `npx vite --config web/vite.config.ts` serves it with hot reload, the API proxied to API_ORIGIN.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.API_ORIGIN ?? 'http://127.0.0.1:5000';

export default defineConfig({
  root: here,
  base: '/',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app: a single chunk keeps the CSP (script-src 'self') and caching simple.
    chunkSizeWarningLimit: 300,
  },
  server: { proxy: { '/api': { target: api, changeOrigin: false } } },
});
