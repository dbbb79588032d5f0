// The Agents page on a directory the store manages (no AGENTS_FILE), in Debian's Chromium: an
// admin adds a department with its hours and an agent typed the local way (050-…), sees the agent
// on the page as the API stores it (E.164), switches them away and removes them. Skipped unless
// TEST_CHROMIUM names the browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  CHROMIUM,
  buildDashboard,
  collectErrors,
  launchDashboardBrowser,
  signIn,
} from '../support/dashboard.js';
import { until } from '../support/until.js';

const ADMIN_PASSWORD = 'agents-edit-browser-pass';

describe.skipIf(!CHROMIUM)(
  CHROMIUM
    ? 'editing the directory in Chromium'
    : 'editing the directory in Chromium (skipped: set TEST_CHROMIUM=/usr/bin/chromium)',
  () => {
    let dir: string;
    let s: TestServer;
    let context: BrowserContext;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-agents-edit-'));
      const web = path.join(dir, 'web');
      await buildDashboard(web);
      s = await startTestServer({ ADMIN_PASSWORD, DASHBOARD_DIR: web });
      context = await launchDashboardBrowser(path.join(dir, 'profile'), { executablePath: CHROMIUM! });
      page = context.pages()[0] ?? (await context.newPage());
      errors = collectErrors(page);
      page.on('dialog', (dialog) => void dialog.accept());
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      await s?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('adds a department and an agent, switches them away and removes them', async () => {
      await signIn(page, s.origin, 'admin', ADMIN_PASSWORD);
      await page.click('nav a[href="/agents"]');
      const edit = page.locator('[data-card="directory-edit"]');
      await edit.waitFor();

      // Hours that do not parse are refused on the page, before any request.
      const department = edit.locator('form[data-form="department"]');
      await department.locator('input').nth(0).fill('support');
      await department.locator('input').nth(1).fill('weekdays nine to five');
      await department.locator('button[type=submit]').click();
      await department.locator('.note-error').waitFor();
      await department.locator('input').nth(1).fill('sun-thu 09:00-18:00, fri 09:00-13:00');
      await department.locator('button[type=submit]').click();
      await page.locator('[data-department="support"]').waitFor();
      expect(await page.locator('[data-department="support"]').textContent()).toContain(
        'sun-thu 09:00-18:00, fri 09:00-13:00',
      );

      const agent = edit.locator('form[data-form="agent"]');
      const inputs = agent.locator('input:not([type=checkbox])');
      await inputs.nth(0).fill('noa');
      await inputs.nth(1).fill('נועה ברק');
      await inputs.nth(2).fill('052-765-4321');
      await inputs.nth(3).fill('2');
      await agent.locator('input[type=checkbox][value="support"]').check();
      await agent.locator('button[type=submit]').click();
      const card = page.locator('.agent-card[data-agent-id="noa"]');
      await card.waitFor();
      expect(await card.locator('.phone').textContent()).toBe('052-765-4321');
      const stored = (await s.store.getDirectory()).agents.find((a) => a.id === 'noa');
      expect(stored).toMatchObject({ phone: '+972527654321', departments: ['support'], maxCalls: 2 });

      await card.locator('[data-status="away"]').click();
      await page
        .locator('.agent-card[data-agent-id="noa"][data-status="away"][data-eligible="false"]')
        .waitFor();

      await card.locator('button.remove-agent').click();
      await card.waitFor({ state: 'detached' });
      await until(
        async () => !(await s.store.getDirectory()).agents.some((a) => a.id === 'noa'),
        'the agent removed from the store',
      );
      expect(errors).toEqual([]);
    }, 60_000);
  },
);
