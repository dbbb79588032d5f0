// Configuration findings of issue 15: secrets never echoed in errors, cleartext credentials only to
// loopback, the two signature checks never relaxed together, LOG_UNREDACTED parsed.
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, parseConfig, shownValue } from '../../src/config.js';

function problemsOf(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('parseConfig accepted the environment');
}

describe('configuration errors', () => {
  it('never echo the value of a *_TOKEN, *_KEY, *_SECRET or *_PASSWORD variable', () => {
    const message = problemsOf({ TWILIO_AUTH_TOKEN: 'hunter2-secret' });
    expect(message).toMatch(/TWILIO_AUTH_TOKEN: looks too short/);
    expect(message).toContain('14 characters, not shown');
    expect(message).not.toContain('hunter2');
    for (const name of ['OPENAI_API_KEY', 'SOME_SECRET', 'DB_PASSWORD', 'TWILIO_AUTH_TOKEN'])
      expect(shownValue(name, 'abc123def')).not.toContain('abc123def');
  });

  it('mask the userinfo and secret query parameters of URLs', () => {
    const message = problemsOf({
      DATABASE_URL: 'mysql://root:s3cr3t-pw@db.internal:3306/crm',
      REDIS_URL: 'memcache://:redis-pw@cache.internal',
    });
    expect(message).toContain('mysql://***@db.internal:3306/crm');
    expect(message).toContain('memcache://***@cache.internal');
    expect(message).not.toMatch(/s3cr3t-pw|redis-pw|root/);
    // A password holding / or # would end a naive authority early.
    expect(shownValue('DATABASE_URL', 'mysql://u:pa/ss#x@h/db')).toBe('"mysql://***@h/db"');
    expect(shownValue('DATABASE_URL', 'mysql://h/db?user=u&password=pw1&sslkey=k')).toBe(
      '"mysql://h/db?user=u&password=***&sslkey=***"',
    );
    expect(problemsOf({ PUBLIC_HOST: 'https://u:p4ss@[bad' })).not.toContain('p4ss');
  });

  it('still show ordinary values, so the operator sees what was wrong', () => {
    expect(problemsOf({ PORT: 'eighty' })).toMatch(/PORT: must be a whole number \(got "eighty"\)/);
  });
});

describe('cleartext credentials', () => {
  it('allow ws:// for OPENAI_REALTIME_URL only on loopback', () => {
    for (const url of ['ws://127.0.0.1:9000/v1', 'ws://127.9.8.7', 'ws://localhost:1', 'ws://[::1]:8080'])
      expect(parseConfig({ OPENAI_REALTIME_URL: url }).openai.realtimeUrl).toBe(url);
    expect(parseConfig({ OPENAI_REALTIME_URL: 'wss://rt.example.com' }).openai.realtimeUrl).toBe(
      'wss://rt.example.com',
    );
    for (const url of [
      'ws://rt.example.com/v1',
      'ws://10.0.0.5',
      'ws://128.0.0.1',
      'ws://localhost.evil.com',
    ])
      expect(problemsOf({ OPENAI_REALTIME_URL: url })).toMatch(
        /OPENAI_REALTIME_URL: ws:\/\/ sends the API key/,
      );
  });

  it('allow http:// for TWILIO_API_BASE_URL only on loopback', () => {
    expect(parseConfig({ TWILIO_API_BASE_URL: 'http://127.0.0.1:4010' }).twilioApiBaseUrl).toBe(
      'http://127.0.0.1:4010',
    );
    expect(parseConfig({ TWILIO_API_BASE_URL: 'https://api.twilio.com' }).twilioApiBaseUrl).toBe(
      'https://api.twilio.com',
    );
    expect(problemsOf({ TWILIO_API_BASE_URL: 'http://api.twilio.com' })).toMatch(
      /TWILIO_API_BASE_URL: http:\/\/ sends the auth token in cleartext/,
    );
  });

  it('knows loopback hosts after URL normalisation, and nothing else', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(false);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });
});

describe('signature checks', () => {
  it('refuse to start with both WEBHOOK_ and STREAM_SIGNATURE_CHECK log-only, naming both', () => {
    const message = problemsOf({ WEBHOOK_SIGNATURE_CHECK: 'log-only', STREAM_SIGNATURE_CHECK: 'log-only' });
    expect(message).toMatch(/WEBHOOK_SIGNATURE_CHECK/);
    expect(message).toMatch(/STREAM_SIGNATURE_CHECK/);
    expect(parseConfig({ WEBHOOK_SIGNATURE_CHECK: 'log-only' }).webhookSignatureMode).toBe('log-only');
    expect(parseConfig({ STREAM_SIGNATURE_CHECK: 'log-only' }).streamSignatureMode).toBe('log-only');
  });
});

describe('LOG_UNREDACTED', () => {
  it('is off unless set to true', () => {
    expect(parseConfig({}).logUnredacted).toBe(false);
    expect(parseConfig({ LOG_LEVEL: 'debug' }).logUnredacted).toBe(false);
    expect(parseConfig({ LOG_UNREDACTED: 'true' }).logUnredacted).toBe(true);
    expect(problemsOf({ LOG_UNREDACTED: 'maybe' })).toMatch(/LOG_UNREDACTED: must be true or false/);
  });
});
