// Returning callers on the offline flow agent, end to end with the emulator: a named contact hears
// a personal line (rendered once, then from the prompt cache) before the menu, a stranger does
// not, and a returning caller with an open lead takes the flow's `returning` branch to a transfer
// that asks the router for their last agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import { promptCacheKey } from '../../src/audio/tts.js';
import type { RouteRequest, Router } from '../../src/routing/router.js';
import type { FlowInput } from '../../src/agents/flow/flow-schema.js';
import { nameContact } from '../support/contacts.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, startTestServer, type TestServer } from '../support/server.js';
import { grantingLines, ringOne } from '../support/routes.js';

const AGENT_NUMBER = '+97235550001';
const MENU = 'לשיחה עם נציג הקישו 1.';
const LINE = 'שלום דני, טוב לשמוע ממך שוב.';
const FLOW: FlowInput = {
  name: 'returning-e2e',
  start: 'welcome',
  goodbyeNoInput: 'להתראות.',
  steps: {
    welcome: { type: 'menu', prompt: MENU, options: { '1': 'sales' }, noInput: 'bye', returning: 'back' },
    sales: { type: 'transfer', prompt: 'מעבירים.', department: 'sales', fallback: 'bye' },
    back: {
      type: 'transfer',
      prompt: 'מחברים אתכם לנציג שלכם.',
      department: 'sales',
      preferAgentOf: 'last',
      fallback: 'bye',
    },
    bye: { type: 'end', prompt: 'תודה, להתראות.' },
  },
};

describe('the flow agent with returning callers', () => {
  let s: TestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;
  let dir: string;
  let menu: Buffer;
  /** A prompt's file in the server's cache: exactly the bytes the caller hears (renders vary). */
  const cacheFile = (text: string): string =>
    path.join(dir, 'prompts', `${promptCacheKey(text, { voice: 'he' })}.ulaw`);
  const routed: RouteRequest[] = [];
  const router: Router = {
    async route(request) {
      routed.push(request);
      return ringOne('Dana', AGENT_NUMBER);
    },
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-returning-'));
    const flowFile = path.join(dir, 'flow.json');
    writeFileSync(flowFile, JSON.stringify(FLOW));
    emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: 5 });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    // A prompt cache of its own: the personal line is not in it until a named caller rings.
    s = await startTestServer(
      { TWILIO_API_BASE_URL: rest.url, FLOW_FILE: flowFile, PROMPT_CACHE_DIR: path.join(dir, 'prompts') },
      { router, lines: grantingLines },
    );
    await until(() => existsSync(cacheFile(MENU)), 'the flow’s prompts to be rendered');
    menu = readFileSync(cacheFile(MENU));
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const place = (from: string) =>
    emulator.placeCall({
      webhookUrl: `${s.origin}/webhook/incoming_call`,
      statusCallbackUrl: `${s.origin}/webhook/call_status`,
      from,
    });

  async function until(test: () => boolean, what: string, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Places a call, waits until the menu has been heard, hangs up; returns what the caller heard. */
  async function hearMenu(from: string): Promise<Buffer> {
    const call = place(from);
    await until(() => call.playedAudio().includes(menu), 'the menu to be heard');
    const result = await call.hangUp();
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    return result.streams[0]!.played;
  }

  it('greets a named contact by name before the menu, rendered once and then cached', async () => {
    const named = '+972501110001';
    await nameContact(s.store, named, 'דני כהן');
    const cached = cacheFile(LINE);

    const stranger = await hearMenu('+972501110002');
    expect(existsSync(cached)).toBe(false); // nobody named has called yet

    const first = await hearMenu(named);
    const line = readFileSync(cached);
    // The personal line, then the menu, as the caller heard them.
    expect(first.indexOf(line)).toBe(0);
    expect(first.indexOf(menu)).toBe(line.length);
    // The stranger heard the menu alone.
    expect(stranger.includes(line)).toBe(false);
    expect(stranger.indexOf(menu)).toBe(0);
    const rendered = statSync(cached);

    const second = await hearMenu(named);
    // The same bytes (a fresh render would differ: espeak varies) from the same file, not rewritten.
    expect(second.includes(line)).toBe(true);
    const after = statSync(cached);
    expect([after.ino, after.mtimeMs]).toEqual([rendered.ino, rendered.mtimeMs]);
  });

  it('sends a returning caller with an open lead down the returning branch to their last agent', async () => {
    const from = '+972501110003';
    const earlier = 'CA' + 'e'.repeat(32);
    const { call: before } = await s.store.startCall({ callSid: earlier, fromNumber: from, at: new Date() });
    await s.store.saveLead({
      callSid: earlier,
      contactId: before.contactId,
      fields: { need: 'דירה' },
      at: new Date(),
    });
    const call = place(from);
    const dial = await call.waitFor('dial', { timeoutMs: 15_000 });
    const result = await call.hangUp();

    expect(dial.detail.targets).toEqual([{ kind: 'Number', value: AGENT_NUMBER }]);
    expect(routed.filter((r) => r.callSid === call.callSid)).toEqual([
      { callSid: call.callSid, from, department: 'sales', preferAgentOf: 'last' },
    ]);
    // Straight to the transfer: the menu was never played.
    expect(result.streams[0]!.played.includes(menu)).toBe(false);
    // The agent's phone rang for this call (the timeline says so; nobody answered before the hang-up).
    const steps = (await s.store.listCallEvents(call.callSid)).map((e) => e.name);
    expect(steps).toContain('agent-ringing');
  });
});
