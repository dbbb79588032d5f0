// The dashboard in Debian's Chromium against the real server, signed in for real: a call placed
// by the Twilio emulator shows on Live with the caller's answers as they are given, then in
// Calls; its page plays the recording (the <audio> element loads; 200/206); a lead moves to
// "contacted" (and the API says so); Settings shows the stream error Twilio reported; Agents
// switches availability; Live transfers a call to a department and hangs it up; English and back flips <html dir> and is remembered over a reload; at
// 390 px nothing overflows sideways; an agent user gets health from /readyz and only their own
// availability switch. Each page is photographed at 1280×800 into SCREENSHOT_DIR
// (`npm run screenshots` points it at docs/screenshots). Skipped unless TEST_CHROMIUM is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import { synthesizeMulaw8k } from '../../src/audio/tts.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  freePort,
  postSigned,
  startTestServer,
  type LogLine,
  type TestServer,
} from '../support/server.js';
import {
  CHROMIUM,
  buildDashboard,
  collectErrors,
  horizontalOverflow,
  launchDashboardBrowser,
  signIn,
} from '../support/dashboard.js';
import { until } from '../support/until.js';
import { ApiClient } from '../api/support.js';

const ADMIN_PASSWORD = 'dashboard-browser-pass';
/** Where the screenshots go: docs/screenshots from `npm run screenshots`, else a temp folder. */
const SCREENSHOT_DIR =
  process.env.SCREENSHOT_DIR?.trim() ||
  process.env.EVIDENCE_DIR?.trim() ||
  path.join(tmpdir(), 'agentlocator-evidence');

/** Two people; sales is always open, so Yossi's eligibility follows his switch at any hour. */
function agentsFile(dir: string): string {
  const file = path.join(dir, 'agents.json');
  writeFileSync(
    file,
    JSON.stringify({
      timezone: 'Asia/Jerusalem',
      departments: {
        sales: { strategy: 'sequential' },
        support: { strategy: 'round-robin', hours: { 'sun-thu': '09:00-18:00', fri: '09:00-13:00' } },
      },
      agents: [
        {
          id: 'dana',
          name: 'דנה לוי',
          phone: '+972501112233',
          departments: ['sales', 'support'],
          maxCalls: 2,
          hours: { 'sun-fri': '08:00-20:00' },
        },
        { id: 'yossi', name: 'יוסי כהן', phone: '+972502223344', departments: ['sales'], status: 'offline' },
      ],
    }),
  );
  return file;
}

describe.skipIf(!CHROMIUM)(
  CHROMIUM
    ? 'the dashboard in Chromium'
    : 'the dashboard in Chromium (skipped: set TEST_CHROMIUM=/usr/bin/chromium)',
  () => {
    let dir: string;
    let s: TestServer;
    let emulator: TwilioEmulator;
    let rest: FakeTwilioRest;
    let context: BrowserContext;
    let page: Page;
    let errors: string[];
    let callSid: string;

    const shot = async (name: string) => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
    };
    const logged = (pred: (l: LogLine) => boolean, what: string) =>
      until(() => s.logs.lines.find(pred), what, { timeoutMs: 20_000 });
    const flowAt = (step: string) =>
      logged((l) => l.callSid === callSid && l.msg === 'FLOW_STEP' && l.step === step, `the flow at ${step}`);
    const saved = (field: string) =>
      logged(
        (l) => l.callSid === callSid && l.msg === 'FLOW_ANSWER_SAVED' && l.field === field,
        `the ${field} answer saved`,
      );

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-dashboard-'));
      const web = path.join(dir, 'web');
      await buildDashboard(web);
      const port = await freePort();
      emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: 5 });
      rest = await startFakeTwilioRest({
        emulator,
        authToken: TEST_AUTH_TOKEN,
        accountSid: TEST_ACCOUNT_SID,
      });
      s = await startTestServer({
        ADMIN_PASSWORD,
        DASHBOARD_DIR: web,
        PORT: String(port),
        TWILIO_API_BASE_URL: rest.url,
        AGENTS_FILE: agentsFile(dir),
      });
      context = await launchDashboardBrowser(path.join(dir, 'profile'), { executablePath: CHROMIUM! });
      page = context.pages()[0] ?? (await context.newPage());
      errors = collectErrors(page);
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      await emulator?.close();
      await rest?.close();
      await s?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('opens in Hebrew, right to left, and signs in', async () => {
      await page.goto(`${s.origin}/live`);
      await page.waitForSelector('input[name=username]');
      expect(await page.getAttribute('html', 'dir')).toBe('rtl');
      expect(await page.getAttribute('html', 'lang')).toBe('he');
      await shot('login');
      await signIn(page, s.origin, 'admin', ADMIN_PASSWORD);
      await page.waitForSelector('.conn-on');
    });

    it('shows a placed call on Live with its answers as they are given, then in Calls', async () => {
      const [name, need] = await Promise.all([
        synthesizeMulaw8k('דני כהן'),
        synthesizeMulaw8k('אני מחפש דירה בתל אביב'),
      ]);
      const call = emulator.placeCall({
        webhookUrl: `${s.origin}/webhook/incoming_call`,
        statusCallbackUrl: `${s.origin}/webhook/call_status`,
        from: '+972541234567',
      });
      callSid = call.callSid;
      const card = page.locator(`.live-card[data-call-sid="${callSid}"]`);
      await card.waitFor({ timeout: 15_000 });
      // Numbers read the Israeli way, left to right inside the Hebrew page.
      await expect(card.locator('.live-caller .phone').textContent()).resolves.toBe('054-123-4567');

      await call.waitFor('first-media-received');
      call.sendDtmf('3');
      await flowAt('ask_name');
      await call.sendAudio(Buffer.from(name));
      await saved('name');
      await call.sendAudio(Buffer.from(need));
      await saved('need');
      await card.locator('.live-answers').waitFor({ timeout: 10_000 });
      expect(await card.locator('.live-answers dt').count()).toBeGreaterThanOrEqual(2);
      await shot('live');
      await flowAt('confirm_phone');
      call.sendDtmf('0501234567#');
      // The keyed number shows on the card (kept a few seconds after the call ends).
      await card.locator('.live-answers', { hasText: '050-123-4567' }).waitFor({ timeout: 10_000 });
      const result = await call.done;
      expect(result.endedBy).toBe('api');
      await card.locator('.badge', { hasText: 'הסתיימה' }).or(card.locator('.ended')).first().waitFor();

      await until(async () => (await s.store.getCrmCall(callSid))?.status === 'completed', 'the call stored');
      await page.click('nav a[href="/calls"]');
      const row = page.locator(`tr[data-call-sid="${callSid}"]`);
      await row.waitFor();
      await expect(row.locator('.phone').first().textContent()).resolves.toBe('054-123-4567');
      await shot('calls');
    }, 90_000);

    it('opens the call and plays its recording', async () => {
      // The stereo recording is written after the socket closes: wait for its row.
      await until(
        async () => (await s.store.listRecordings(callSid)).some((r) => r.source === 'call-audio'),
        'the call-audio recording',
      );
      const audioAnswers: number[] = [];
      page.on('response', (r) => {
        if (/\/api\/v1\/recordings\/[^/]+\/audio/.test(r.url())) audioAnswers.push(r.status());
      });
      await page.goto(`${s.origin}/calls/${callSid}`);
      const players = page.locator('audio[data-recording-sid]');
      await players.first().waitFor();
      expect(await players.count()).toBe(3); // the whole call and the two spoken answers
      const played = await players.first().evaluate(async (el) => {
        // The element's own API (this file is compiled without the DOM's types).
        const audio = el as unknown as {
          play(): Promise<void>;
          duration: number;
          readyState: number;
          currentTime: number;
        };
        await audio.play();
        // Playing has begun once the clock moves (a loaded machine may take a moment).
        for (let i = 0; i < 100 && audio.currentTime === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return { duration: audio.duration, readyState: audio.readyState, time: audio.currentTime };
      });
      expect(played.duration).toBeGreaterThan(1);
      expect(played.readyState).toBeGreaterThanOrEqual(2);
      expect(played.time).toBeGreaterThan(0);
      expect(audioAnswers.length).toBeGreaterThan(0);
      expect(audioAnswers.every((status) => status === 200 || status === 206)).toBe(true);
      await shot('call');
    });

    it('moves the call’s lead to contacted, and the API says so', async () => {
      await page.click('nav a[href="/leads"]');
      const row = page.locator(`tr[data-lead-id]:has(a[href="/calls/${callSid}"])`);
      await row.waitFor();
      const leadId = await row.getAttribute('data-lead-id');
      await row.locator('[data-testid=lead-status]').selectOption('contacted');
      await until(
        async () => {
          const res = await context.request.get(`${s.origin}/api/v1/leads/${leadId}`);
          return res.ok()
            ? ((await res.json()) as { lead?: { status?: string }; status?: string })
            : undefined;
        },
        'the lead contacted in the API',
        { is: (body) => (body?.lead?.status ?? body?.status) === 'contacted' },
      );
      await shot('leads');
      await page.click('nav a[href="/contacts"]');
      await page.locator('tr[data-contact-id]').first().waitFor();
      await shot('contacts');
    });

    it('shows the stream error Twilio reported on Settings, in words', async () => {
      const posted = await postSigned(`${s.origin}/webhook/stream_status`, {
        AccountSid: TEST_ACCOUNT_SID,
        CallSid: callSid,
        StreamSid: 'MZ' + 'e'.repeat(32),
        StreamName: 'agent',
        StreamEvent: 'stream-error',
        StreamError: 'Stream - WebSocket - Handshake Error (31920)',
        Timestamp: new Date().toISOString(),
      });
      expect(posted.status).toBe(204);
      await page.click('nav a[href="/settings"]');
      await page.locator('[data-dependency="store"][data-state="ok"]').waitFor();
      const error = page.locator('[data-card="stream-errors"] [data-stream-error="31920"]');
      await error.waitFor();
      await expect(error.locator(`a[href="/calls/${callSid}"]`).count()).resolves.toBe(1);
      await expect(error.locator('[data-twilio-code="31920"]').count()).resolves.toBe(1);
      await shot('settings');
    });

    it('switches an agent’s availability on Agents, and who is eligible follows', async () => {
      await page.click('nav a[href="/agents"]');
      const yossi = page.locator('.agent-card[data-agent-id="yossi"]');
      await yossi.waitFor();
      expect(await yossi.getAttribute('data-eligible')).toBe('false');
      await yossi.locator('[data-status="available"]').click();
      await page.locator('.agent-card[data-agent-id="yossi"][data-eligible="true"]').waitFor();
      const res = await context.request.get(`${s.origin}/api/v1/agents`);
      const body = (await res.json()) as { agents: { id: string; status: string }[] };
      expect(body.agents.find((a) => a.id === 'yossi')?.status).toBe('available');
      await shot('agents');
    });

    it('shows the test call page, ready to call', async () => {
      await page.goto(`${s.origin}/test-call`);
      await page.locator('.test-call-start').waitFor();
      await shot('test-call');
    });

    it('transfers a live call to a department and hangs it up from Live', async () => {
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${s.origin}/live`);
      await page.waitForSelector('.conn-on');
      const call = emulator.placeCall({
        webhookUrl: `${s.origin}/webhook/incoming_call`,
        statusCallbackUrl: `${s.origin}/webhook/call_status`,
        from: '+972527654321',
      });
      const card = page.locator(`.live-card[data-call-sid="${call.callSid}"]`);
      await card.waitFor({ timeout: 15_000 });
      await call.waitFor('first-media-received');

      // The targets come from GET /agents: the departments, then each agent by name.
      const target = card.locator('select.transfer-target');
      await target.locator('option[value="department:sales"]').waitFor({ state: 'attached' });
      await target.selectOption('department:sales');
      const transferred = page.waitForResponse((r) => r.url().endsWith(`/calls/${call.callSid}/transfer`));
      await card.locator('.call-actions button[type=submit]').click();
      const transfer = await transferred;
      expect(transfer.status()).toBe(202);
      expect(transfer.request().postDataJSON()).toEqual({ department: 'sales' });
      expect(((await transfer.json()) as { department: string }).department).toBe('sales');
      await until(
        async () => (await s.store.listCallEvents(call.callSid)).find((e) => e.kind === 'dashboard'),
        'the transfer on the call timeline',
      );

      const hungUp = page.waitForResponse((r) => r.url().endsWith(`/calls/${call.callSid}/hangup`));
      await card.locator('button.hang-up').click();
      expect((await hungUp).status()).toBe(202);
      const result = await call.done;
      expect(result.endedBy).toBe('api');
      const stored = await until(async () => s.store.getCrmCall(call.callSid), 'the call stored', {
        is: (c) => c?.status === 'completed',
      });
      expect(stored?.outcome).toBe('hangup: dashboard');
    }, 60_000);

    it('switches to English and back, remembered over a reload', async () => {
      await page.goto(`${s.origin}/calls`);
      await page.locator('[data-testid=lang-switch]').click();
      await until(async () => page.getAttribute('html', 'dir'), 'ltr', { is: (d) => d === 'ltr' });
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await expect(page.locator('h1').textContent()).resolves.toBe('Calls');
      await page.reload();
      await page.locator('h1', { hasText: 'Calls' }).waitFor();
      expect(await page.getAttribute('html', 'dir')).toBe('ltr');
      await page.locator('[data-testid=lang-switch]').click();
      await until(async () => page.getAttribute('html', 'dir'), 'rtl', { is: (d) => d === 'rtl' });
      await page.reload();
      await page.locator('h1', { hasText: 'שיחות' }).waitFor();
      expect(await page.getAttribute('html', 'dir')).toBe('rtl');
      expect(await page.getAttribute('html', 'lang')).toBe('he');
    });

    it('is readable at phone width: nothing overflows sideways at 390 px', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const paths = [
        '/live',
        '/calls',
        `/calls/${callSid}`,
        '/leads',
        '/contacts',
        '/agents',
        '/settings',
        '/test-call',
      ];
      const overflow: Record<string, number> = {};
      for (const p of paths) {
        await page.goto(`${s.origin}${p}`);
        await page.locator('h1').waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        overflow[p] = await horizontalOverflow(page);
      }
      expect(overflow).toEqual(Object.fromEntries(paths.map((p) => [p, 0])));
      await page.setViewportSize({ width: 1280, height: 800 });
    }, 60_000);

    it('gives an agent user health from /readyz and only their own switch', async () => {
      const admin = new ApiClient(s.origin);
      expect((await admin.login('admin', ADMIN_PASSWORD)).status).toBe(200);
      const created = await admin.post('/api/v1/users', {
        username: 'dana',
        password: 'dana-pass-12345',
        role: 'agent',
        agentId: 'dana',
      });
      expect(created.status).toBe(201);
      await page.locator('.topbar-end button.link-button').click();
      await page.waitForSelector('input[name=username]');
      await signIn(page, s.origin, 'dana', 'dana-pass-12345');

      await page.click('nav a[href="/settings"]');
      await page.locator('[data-dependency="store"][data-state="ok"]').waitFor();
      // Settings is for admins: no TwiML card, no "last stream errors" (and no 403 asked for).
      expect(await page.locator('[data-card="twiml"], [data-card="stream-errors"]').count()).toBe(0);
      expect(await page.locator('[data-dependency]').count()).toBe(4);

      await page.click('nav a[href="/agents"]');
      await page.locator('.agent-card[data-agent-id="dana"]').waitFor();
      expect(
        await page.locator('.agent-card[data-agent-id="dana"] button[data-status]:enabled').count(),
      ).toBe(3);
      expect(
        await page.locator('.agent-card[data-agent-id="yossi"] button[data-status]:enabled').count(),
      ).toBe(0);
      await page.locator('.agent-card[data-agent-id="dana"] [data-status="away"]').click();
      await page.locator('.agent-card[data-agent-id="dana"][data-status="away"]').waitFor();
      expect(errors).toEqual([]);
    });
  },
);
