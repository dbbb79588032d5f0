// The test call in Debian's Chromium: sign in, open the Test call page, start a call with
// Chromium's fake microphone playing a WAV made here (silence, then Hebrew speech), and check
// that the agent's prompt plays back (received and played on the page's AudioContext, not
// silence), that the fake microphone's speech reached the agent, that the keypad moves the flow
// on, and that the call is stored as a test. Skipped unless TEST_CHROMIUM names the browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { synthesize } from '../../src/audio/tts.js';
import { writeWav } from '../../src/audio/wav.js';
import { TEST_CALL_FROM } from '../../src/test-call/protocol.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { CHROMIUM, QUIET_CHROMIUM, buildDashboard, collectErrors, signIn } from '../support/dashboard.js';
/** Where the page's screenshot goes (not committed). */
const EVIDENCE_DIR = process.env.EVIDENCE_DIR?.trim() || path.join(tmpdir(), 'agentlocator-evidence');

const ADMIN_PASSWORD = 'test-call-browser-pass';

/**
 * 6 s of silence, then a short sentence: Chromium loops the file as the microphone. The silence
 * outlasts a slow connect (another browser test on the two cores), so the sentence cannot cut the
 * prompt before a second of it has played.
 */
const SILENCE_S = 6;
async function microphoneWav(dir: string): Promise<string> {
  const speech = await synthesize('שלום, אני רוצה להשאיר פרטים');
  const samples = new Int16Array(speech.sampleRate * SILENCE_S + speech.pcm.length + speech.sampleRate * 2);
  samples.set(speech.pcm, speech.sampleRate * SILENCE_S);
  const file = path.join(dir, 'microphone.wav');
  writeFileSync(file, writeWav({ encoding: 'pcm16', sampleRate: speech.sampleRate, samples }));
  return file;
}

/** What the panel exposes in its data-* attributes. */
const PANEL = [
  'test-call-phase',
  'call-sid',
  'mic-frames',
  'agent-bytes',
  'agent-rms',
  'agent-played-ms',
] as const;

async function panel(page: Page): Promise<Record<(typeof PANEL)[number], string>> {
  const el = page.locator('[data-test-call-phase]');
  const values = await Promise.all(PANEL.map((name) => el.getAttribute(`data-${name}`)));
  return Object.fromEntries(PANEL.map((name, i) => [name, values[i] ?? ''])) as Record<
    (typeof PANEL)[number],
    string
  >;
}

describe.skipIf(!CHROMIUM)(
  CHROMIUM
    ? 'the test call in Chromium'
    : 'the test call in Chromium (skipped: set TEST_CHROMIUM=/usr/bin/chromium)',
  () => {
    let dir: string;
    let s: TestServer;
    let context: BrowserContext;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-test-call-'));
      // The dashboard as `npm run build` makes it, with the worklet as a file of the build.
      const web = path.join(dir, 'web');
      await buildDashboard(web);
      const wav = await microphoneWav(dir);
      s = await startTestServer({ ADMIN_PASSWORD, DASHBOARD_DIR: web, TWILIO_ACCOUNT_SID: '' });
      context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--use-fake-device-for-media-stream',
          `--use-file-for-fake-audio-capture=${wav}`,
          ...QUIET_CHROMIUM,
        ],
      });
      await context.grantPermissions(['microphone'], { origin: s.origin });
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      await s?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('reaches the agent through the fake microphone and plays its prompt back', async () => {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors = collectErrors(page);
      await signIn(page, s.origin, 'admin', ADMIN_PASSWORD);
      await page.goto(`${s.origin}/test-call`);
      await page.click('.test-call-start');

      const connected = await until(async () => {
        const d = await panel(page);
        return d['test-call-phase'] === 'connected' ? d : undefined;
      }, 'the test call connected');
      const callSid = connected['call-sid'];
      expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);

      // The welcome prompt: received, not silence, and played out by the page's AudioContext.
      let seen: Record<string, string> = {};
      const playing = await until(
        async () => {
          const d = (seen = await panel(page));
          return Number(d['agent-played-ms']) > 1000 ? d : undefined;
        },
        () => `a second of the agent played; the panel said ${JSON.stringify(seen)}`,
        // Twice the default: with another browser test on the two cores the prompt starts late.
        { timeoutMs: 20_000 },
      );
      expect(Number(playing['agent-bytes'])).toBeGreaterThan(8000);
      expect(Number(playing['agent-rms'])).toBeGreaterThan(0.02);
      expect(Number(playing['mic-frames'])).toBeGreaterThan(0);
      mkdirSync(EVIDENCE_DIR, { recursive: true });
      await page.screenshot({ path: path.join(EVIDENCE_DIR, 'test-call.png'), fullPage: true });

      // The fake microphone's sentence (6 s in) reached the agent: it stopped its prompt for it.
      const bargeIn = await until(
        () => s.logs.lines.find((l) => l.callSid === callSid && l.msg === 'FLOW_BARGE_IN'),
        'the agent hearing the microphone',
        { timeoutMs: 15_000 },
      );
      expect(bargeIn.by).toBe('speech');

      await page.click('[data-digit="3"]');
      await until(
        () =>
          s.logs.lines.find((l) => l.callSid === callSid && l.msg === 'FLOW_STEP' && l.step === 'ask_name'),
        'the flow at ask_name after 3',
      );
      await page.click('.test-call-hangup');
      await until(async () => (await panel(page))['test-call-phase'] === 'ended', 'the call ended');
      expect(await page.textContent('.test-call-status')).toContain('ניתקתם');
      await expect(page.locator(`a[href="/calls/${callSid}"]`).count()).resolves.toBe(1);

      const stored = await until(async () => {
        const call = await s.store.getCrmCall(callSid);
        return call?.status === 'completed' ? call : undefined;
      }, 'the call completed in the store');
      expect(stored.fromNumber).toBe(TEST_CALL_FROM);
      expect(stored.isTest).toBe(true);
      expect(errors).toEqual([]);
    }, 60_000);
  },
);
