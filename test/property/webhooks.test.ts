// Property: webhook bodies. The form parser agrees with URLSearchParams (repeated keys become
// arrays, prototype keys are plain keys, more than 1000 parameters are refused), and every route
// answers any body — random parameters, random values, wrong content types, raw bytes — with a
// 2xx or a 4xx JSON {error, message}: never a 5xx, never a crash.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { parseForm } from '../../src/server/webhooks/webhook-kit.js';
import { TEST_ACCOUNT_SID, newCallSid, startTestServer, type TestServer } from '../support/server.js';
import { PROTOTYPE_KEYS, anyText, runs } from './fc-setup.js';

const TWILIO_KEYS = [
  'CallSid',
  'AccountSid',
  'From',
  'To',
  'CallStatus',
  'Direction',
  'SequenceNumber',
  'CallDuration',
  'Timestamp',
  'StreamSid',
  'StreamEvent',
  'StreamError',
  'DialCallStatus',
  'RecordingSid',
  'RecordingUrl',
  'RecordingDuration',
  'RecordingStatus',
  'Digits',
  'ErrorCode',
];
const key = fc.oneof(fc.constantFrom(...TWILIO_KEYS), fc.constantFrom(...PROTOTYPE_KEYS), anyText);
const value = fc.oneof(
  fc.constantFrom(
    'ringing',
    'in-progress',
    'completed',
    'busy',
    'no-answer',
    'canceled',
    'failed',
    'queued',
    'bogus',
    'stream-started',
    'stream-stopped',
    'stream-error',
    '0',
    '-1',
    '99999999999999999999',
    '1.5',
    'https://api.twilio.com/rec/RE1',
    'not a url',
    TEST_ACCOUNT_SID,
    '+972501234567',
    'client:alice',
  ),
  fc.constant(null).map(() => newCallSid()),
  anyText,
);
const params = fc.array(fc.tuple(key, value), { maxLength: 12 });
const encode = (pairs: [string, string][]) => new URLSearchParams(pairs).toString();

describe('parseForm', () => {
  it('agrees with URLSearchParams on any body', () => {
    const body = fc.oneof(
      params.map(encode),
      anyText,
      fc.string({ unit: fc.constantFrom('a', '=', '&', '%', '+', '2', '0', 'F') }),
    );
    fc.assert(
      fc.property(body, (text) => {
        const parsed = parseForm(text);
        expect(Object.getPrototypeOf(parsed)).toBeNull();
        const reference = new URLSearchParams(text);
        const keys = [...new Set(reference.keys())];
        expect(Object.keys(parsed).sort()).toEqual(keys.sort());
        for (const k of keys) {
          const all = reference.getAll(k);
          expect(parsed[k]).toEqual(all.length === 1 ? all[0] : all);
        }
      }),
      runs(500),
    );
  });

  it('refuses more than 1000 parameters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1001, max: 3000 }), (n) => {
        expect(() => parseForm('a=1&'.repeat(n))).toThrow(AppError);
      }),
      runs(20),
    );
    expect(Object.keys(parseForm('a=1&'.repeat(1000)))).toEqual(['a']);
  });
});

describe('the webhook routes', () => {
  let s: TestServer;
  beforeAll(async () => {
    // Signatures relaxed so random bodies reach the handlers (the check itself is tested elsewhere).
    s = await startTestServer({ WEBHOOK_SIGNATURE_CHECK: 'log-only' });
  });
  afterAll(async () => {
    await s.stop();
  });

  const ROUTES = ['incoming_call', 'stream_ended', 'stream_status', 'call_status', 'handle_recording'];

  async function answersSanely(
    res: Awaited<ReturnType<TestServer['built']['app']['inject']>>,
  ): Promise<void> {
    expect(res.statusCode, res.body).toBeLessThan(500);
    if (res.statusCode >= 400) {
      const body = JSON.parse(res.body) as { error?: unknown; message?: unknown };
      expect(typeof body.error).toBe('string');
      expect(typeof body.message).toBe('string');
    }
  }

  it('answer random form parameters with 2xx or a 4xx JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), params, fc.boolean(), async (route, pairs, withCall) => {
        const all: [string, string][] = withCall ? [['CallSid', newCallSid()], ...pairs] : pairs;
        const res = await s.built.app.inject({
          method: 'POST',
          url: `/webhook/${route}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: encode(all),
        });
        await answersSanely(res);
      }),
      runs(250),
    );
  });

  it('answer wrong content types, raw bytes and odd methods with a 4xx', async () => {
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded; charset=latin1',
      'application/x-www-form-urlencoded',
      '',
      'x/y',
    );
    const body = fc.oneof(
      anyText,
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        contentType,
        body,
        fc.constantFrom('POST', 'PUT', 'GET'),
        async (route, type, payload, method) => {
          const res = await s.built.app.inject({
            method,
            url: `/webhook/${route}`,
            headers: type ? { 'content-type': type } : {},
            ...(method === 'GET' ? {} : { payload }),
          });
          await answersSanely(res);
        },
      ),
      runs(150),
    );
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
  });
});
