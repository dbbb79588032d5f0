// The dashboard in Debian's Chromium, for the browser tests: the Vite build as `npm run build`
// makes it, a headless Chromium through playwright-core (no browser download), and sign-in.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Chromium binary (CI: /usr/bin/chromium); unset skips the browser tests, saying so. */
export const CHROMIUM = process.env.TEST_CHROMIUM?.trim() || undefined;

/** Builds the dashboard into `outDir` (a test's own directory, never dist/). */
export async function buildDashboard(outDir: string): Promise<void> {
  await build({
    configFile: path.join(ROOT, 'web', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
}

/** Flags that keep a headless Chromium quiet and off the network (no updates, no sync). */
export const QUIET_CHROMIUM = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export async function launchDashboardBrowser(
  profileDir: string,
  opts: { executablePath: string; viewport?: { width: number; height: number } },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: opts.executablePath,
    headless: true,
    args: QUIET_CHROMIUM,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
}

/** Page errors and console errors, except the 401 by which the app learns it is signed out. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) errors.push(msg.text());
  });
  return errors;
}

/** Signs in through the login form and waits for the Live page it lands on. */
export async function signIn(page: Page, origin: string, username: string, password: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/live$/);
}

/** The document's horizontal overflow in CSS pixels (0: nothing sticks out sideways). */
export function horizontalOverflow(page: Page): Promise<number> {
  // A string, evaluated in the page: this file is compiled without the DOM's types.
  return page
    .evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
    .then(Number);
}
