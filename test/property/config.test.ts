// Property: any environment gives a frozen Config or a ConfigError (never another throw), a secret
// never appears in the error, and plain ws:// / http:// are accepted exactly for loopback hosts.
import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { anyText, runs } from './fc-setup.js';

const VARIABLES = [
  'PORT',
  'HOST',
  'PUBLIC_BASE_URL',
  'PUBLIC_HOST',
  'TRUST_PROXY',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_API_BASE_URL',
  'WEBHOOK_SIGNATURE_CHECK',
  'STREAM_SIGNATURE_CHECK',
  'DATA_DIR',
  'DATABASE_URL',
  'REDIS_URL',
  'AGENT',
  'FLOW_FILE',
  'PROMPT_CACHE_DIR',
  'OPENAI_API_KEY',
  'OPENAI_REALTIME_URL',
  'OPENAI_REALTIME_MODEL',
  'OPENAI_VOICE',
  'OPENAI_INSTRUCTIONS_FILE',
  'LOG_LEVEL',
  'LOG_UNREDACTED',
  'GREETING_FILE',
  'GREETING_TEXT',
  'VOICEMAIL_PROMPT',
  'VOICEMAIL_MAX_LENGTH',
  'STREAM_START_TIMEOUT_MS',
  'STREAM_MAX_PENDING',
  'STREAM_MAX_PENDING_PER_ADDRESS',
  'RECORD_CALLS',
  'DRAIN_TIMEOUT_MS',
];
const plausible = fc.constantFrom(
  '',
  ' ',
  '0',
  '1',
  '65536',
  '-1',
  'true',
  'false',
  'yes',
  'enforce',
  'log-only',
  'flow',
  'openai-realtime',
  'debug',
  'https://a.example.com',
  'ws://127.0.0.1:1',
  'http://localhost:2',
  'postgres://u:p@db/x',
  'redis://r',
  `AC${'0'.repeat(32)}`,
  'x'.repeat(40),
);
const env = fc.dictionary(fc.constantFrom(...VARIABLES), fc.oneof(plausible, anyText), { maxKeys: 8 });

function outcome(e: Record<string, string>): { config?: ReturnType<typeof parseConfig>; error?: unknown } {
  try {
    return { config: parseConfig(e) };
  } catch (error) {
    return { error };
  }
}

/** A secret no message could contain by accident. */
const secret = fc
  .string({
    unit: fc.constantFrom(...'abcdefghijkmnopqrstuvwxyzQWERTY0123456789'),
    minLength: 6,
    maxLength: 15,
  })
  .map((s) => `S3${s}`);

describe('parseConfig', () => {
  it('gives a frozen Config or a ConfigError for any environment', () => {
    fc.assert(
      fc.property(env, (e) => {
        const { config, error } = outcome(e);
        if (config) expect(Object.isFrozen(config) && Object.isFrozen(config.openai)).toBe(true);
        else expect(error).toBeInstanceOf(ConfigError);
      }),
      runs(500),
    );
  });

  it('never shows a secret variable’s value, nor a URL’s password or secret parameters', () => {
    const schemes = fc.constantFrom('postgres', 'mysql', 'redis', 'ws', 'http', 'https', 'ftp', 'x+y');
    const url = fc
      .record({
        scheme: schemes,
        user: fc.constantFrom('', 'u', 'admin'),
        pw: secret,
        qp: secret,
        path: fc.constantFrom('', '/db', '/a@b'),
      })
      .map((u) => ({
        ...u,
        text: `${u.scheme}://${u.user}:${u.pw}@host.example${u.path}?sslmode=x&password=${u.qp}`,
      }));
    const urlVariable = fc.constantFrom(
      'DATABASE_URL',
      'REDIS_URL',
      'TWILIO_API_BASE_URL',
      'OPENAI_REALTIME_URL',
      'PUBLIC_BASE_URL',
      'PUBLIC_HOST',
    );
    fc.assert(
      fc.property(env, secret, url, urlVariable, fc.boolean(), (e, token, u, variable, shortToken) => {
        const full = {
          ...e,
          TWILIO_AUTH_TOKEN: shortToken ? token : `${token}${'!'.repeat(16)}`,
          [variable]: u.text,
          PORT: 'not-a-port',
        };
        const { error } = outcome(full);
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as Error).message;
        expect(message).not.toContain(token);
        expect(message).not.toContain(u.pw);
        expect(message).not.toContain(u.qp);
      }),
      runs(400),
    );
  });

  it('accepts ws:// and http:// exactly for loopback hosts', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const host = fc.oneof(
      fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')),
      fc.tuple(octet, octet, octet).map((o) => `127.${o.join('.')}`),
      fc.constantFrom(
        'localhost',
        'LocalHost',
        '[::1]',
        '[::ffff:127.0.0.1]',
        'localhost.example.com',
        '127.0.0.1.nip.io',
        'example.com',
        '[fe80::1]',
        '0.0.0.0',
      ),
    );
    const isLoopbackReference = (h: string) =>
      h.toLowerCase() === 'localhost' || h === '[::1]' || (isIPv4(h) && h.split('.')[0] === '127');
    fc.assert(
      fc.property(host, fc.constantFrom(':1', ':65535', ''), (h, port) => {
        const realtime = outcome({ OPENAI_REALTIME_URL: `ws://${h}${port}/v1` });
        const rest = outcome({ TWILIO_API_BASE_URL: `http://${h}${port}` });
        expect(Boolean(realtime.config), h).toBe(isLoopbackReference(h));
        expect(Boolean(rest.config), h).toBe(isLoopbackReference(h));
        // TLS is always fine.
        expect(
          outcome({ OPENAI_REALTIME_URL: `wss://${h}${port}/v1`, TWILIO_API_BASE_URL: `https://${h}${port}` })
            .config,
        ).toBeDefined();
      }),
      runs(300),
    );
  });
});
