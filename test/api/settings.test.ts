// GET /api/v1/settings: admins and API keys only (401 without credentials, 403 for an agent user), each
// dependency's readiness (store, Redis when set, the agent, Twilio signing and REST credentials),
// the public host the TwiML names, the last stream errors with code, time and call, no secrets in
// the answer, and the route's response schema in the OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsView } from '../../src/api/settings-view.js';
import { makeCall } from '../support/crm-fixtures.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/server.js';
import { ADMIN_PASSWORD } from './support.js';
import { api, as, startCrmTestServer, type CrmTestServer } from './crm-app.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || undefined;
const SESSION_SECRET = 'settings-test-session-secret-0123456789abcdef';

describe('the settings API', () => {
  let s: CrmTestServer;
  beforeAll(async () => {
    s = await startCrmTestServer({ PUBLIC_HOST: 'ai-crm.example.com', SESSION_SECRET });
  });
  afterAll(async () => s.stop());

  it('needs a session or key (401) and the admin role (403)', async () => {
    // A cookie that is no session: the test fetch adds no credentials to it, the gate refuses.
    const anonymous = await fetch(`${s.api}/settings`, { headers: { cookie: 'nobody=1' } });
    expect(anonymous.status).toBe(401);
    const agent = await api(s, '/settings', { headers: as('agent:dana') });
    expect(agent.status).toBe(403);
  });

  it('answers an integration’s API key (keys act as admins), and never shows the key', async () => {
    const made = await api<{ key: string }>(s, '/api-keys', { method: 'POST', body: { name: 'monitor' } });
    expect(made.status).toBe(201);
    const res = await fetch(`${s.api}/settings`, { headers: { authorization: `Bearer ${made.body.key}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ ready: true });
    expect(text).not.toContain(made.body.key);
  });

  it('reports each dependency, the TwiML host and no secrets', async () => {
    const res = await api<SettingsView>(s, '/settings');
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.ready).toBe(true);
    expect(body.draining).toBe(false);
    expect(body.capacity).toEqual({ state: 'ok', calls: 0, maxCalls: expect.any(Number) });
    expect(body.dependencies).toEqual({
      store: { state: 'ok', kind: 'sqlite' },
      redis: { state: 'disabled' },
      agent: { state: 'ok', kind: 'flow', model: null, endpointHost: null },
      twilioSigning: { state: 'ok', source: 'env' },
      twilioRest: { state: 'ok', apiHost: 'api.twilio.com' },
    });
    expect(body.publicHost).toBe('ai-crm.example.com');
    expect(body.streamUrl).toBe('wss://ai-crm.example.com/ws/twilio-media');
    expect(body.webhookUrl).toBe('https://ai-crm.example.com/webhook/incoming_call');
    expect(body.timezone).toBe('Asia/Jerusalem');
    // Off unless TRANSCRIBE_URL is set: no audio leaves the machine.
    expect(body.transcription).toEqual({ enabled: false, analysis: false, host: null });
    const text = JSON.stringify(body);
    for (const secret of [TEST_AUTH_TOKEN, TEST_ACCOUNT_SID, ADMIN_PASSWORD, SESSION_SECRET]) {
      expect(text).not.toContain(secret);
    }
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('lists the last stream errors newest first, with Twilio code, time and call', async () => {
    const before = (await api<SettingsView>(s, '/settings')).body.streamErrors.length;
    const call = await makeCall(s.store, { result: 'live' });
    const test = await makeCall(s.store, { result: 'live', test: true });
    const now = Date.now();
    await s.store.addCallEvent({
      callSid: call.callSid,
      kind: 'stream-error',
      name: 'stream-error',
      twilioCode: 31920,
      detail: { streamSid: 'MZ' + '1'.repeat(32), error: 'Stream - WebSocket - Handshake Error' },
      at: new Date(now - 60_000),
    });
    await s.store.addCallEvent({
      callSid: test.callSid,
      kind: 'stream-error',
      name: 'stream-error',
      twilioCode: 31921,
      at: new Date(now - 1000),
    });
    const errors = (await api<SettingsView>(s, '/settings')).body.streamErrors;
    expect(errors).toHaveLength(before + 2);
    expect(errors.slice(0, 2)).toEqual([
      {
        at: new Date(now - 1000).toISOString(),
        callSid: test.callSid,
        twilioCode: 31921,
        message: null,
        streamSid: null,
        test: true,
      },
      {
        at: new Date(now - 60_000).toISOString(),
        callSid: call.callSid,
        twilioCode: 31920,
        message: 'Stream - WebSocket - Handshake Error',
        streamSid: 'MZ' + '1'.repeat(32),
        test: false,
      },
    ]);
  });

  it('is in the OpenAPI document with its response schema', async () => {
    type Response = { content?: { 'application/json'?: { schema?: { properties?: object } } } };
    const doc = (await (await fetch(`${s.api}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { responses: Record<string, Response> } }>;
    };
    const ok = doc.paths['/api/v1/settings']?.get?.responses['200'];
    expect(Object.keys(ok?.content?.['application/json']?.schema?.properties ?? {})).toEqual(
      expect.arrayContaining(['version', 'dependencies', 'publicHost', 'streamErrors', 'transcription']),
    );
    expect(doc.paths['/api/v1/settings']?.get?.responses['403']).toBeDefined();
  });
});

describe('the settings API without Twilio credentials, with Realtime and transcription', () => {
  let s: CrmTestServer;
  const OPENAI_API_KEY = 'sk-settings-test-secret-key-0123456789';
  const TRANSCRIBE_API_KEY = 'sk-transcribe-secret-key-9876543210';
  beforeAll(async () => {
    s = await startCrmTestServer({
      TWILIO_AUTH_TOKEN: '',
      TWILIO_ACCOUNT_SID: '',
      AGENT: 'openai-realtime',
      OPENAI_API_KEY,
      OPENAI_REALTIME_URL: 'wss://realtime.example.test/v1/realtime?api_key=hidden',
      TRANSCRIBE_URL: 'https://stt.example.test/v1',
      TRANSCRIBE_API_KEY: TRANSCRIBE_API_KEY,
    });
  });
  afterAll(async () => s.stop());

  it('says the Twilio credentials are missing, where Realtime and transcription go, never a key', async () => {
    const res = await api<SettingsView>(s, '/settings');
    expect(res.status).toBe(200);
    expect(res.body.dependencies.twilioSigning).toEqual({ state: 'unconfigured', source: 'local' });
    expect(res.body.dependencies.twilioRest.state).toBe('unconfigured');
    expect(res.body.dependencies.agent).toMatchObject({
      kind: 'openai-realtime',
      model: 'gpt-realtime',
      endpointHost: 'realtime.example.test',
    });
    expect(res.body.publicHost).toBeNull();
    expect(res.body.streamUrl).toBeNull();
    const text = JSON.stringify(res.body);
    expect(res.body.transcription).toEqual({ enabled: true, analysis: false, host: 'stt.example.test' });
    expect(text).not.toContain(OPENAI_API_KEY);
    expect(text).not.toContain(TRANSCRIBE_API_KEY);
    expect(text).not.toContain('hidden');
  });
});

describe.skipIf(!TEST_REDIS_URL)(
  TEST_REDIS_URL
    ? 'the settings API with Redis'
    : 'the settings API with Redis (skipped: set TEST_REDIS_URL)',
  () => {
    let s: CrmTestServer;
    beforeAll(async () => {
      s = await startCrmTestServer({ REDIS_URL: TEST_REDIS_URL ?? '' });
    });
    afterAll(async () => s?.stop());

    it('reports Redis as ready', async () => {
      const res = await api<SettingsView>(s, '/settings');
      expect(res.body.dependencies.redis).toEqual({ state: 'ok' });
    });
  },
);
