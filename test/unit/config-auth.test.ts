// The access settings in the configuration: the public scheme (cookie `Secure`), SESSION_SECRET
// and ADMIN_PASSWORD, whose values never appear in an error message.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

function problem(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration for access', () => {
  it('knows the public scheme: https for a bare host or https URL, http only when said', () => {
    expect(parseConfig({}).publicScheme).toBeUndefined();
    expect(parseConfig({ PUBLIC_HOST: 'ai-crm.example.com' }).publicScheme).toBe('https');
    expect(parseConfig({ PUBLIC_BASE_URL: 'https://ai-crm.example.com' }).publicScheme).toBe('https');
    expect(parseConfig({ PUBLIC_BASE_URL: 'http://localhost:5000' }).publicScheme).toBe('http');
    // PUBLIC_BASE_URL wins over PUBLIC_HOST, for the scheme as for the host.
    expect(parseConfig({ PUBLIC_BASE_URL: 'http://a.test', PUBLIC_HOST: 'b.test' }).publicScheme).toBe(
      'http',
    );
  });

  it('takes SESSION_SECRET (32+ characters) and ADMIN_PASSWORD (8+), empty meaning unset', () => {
    const c = parseConfig({ SESSION_SECRET: 'x'.repeat(32), ADMIN_PASSWORD: 'eight-ch' });
    expect(c.sessionSecret).toBe('x'.repeat(32));
    expect(c.adminPassword).toBe('eight-ch');
    expect(parseConfig({ SESSION_SECRET: '', ADMIN_PASSWORD: '  ' })).toMatchObject({
      sessionSecret: undefined,
      adminPassword: undefined,
    });
  });

  it('refuses short secrets naming the variable but never echoing the value', () => {
    const message = problem({
      SESSION_SECRET: 'short-secret-value',
      ADMIN_PASSWORD: 'pw12345',
      TWILIO_AUTH_TOKEN: 'tok-abcdef',
    });
    expect(message).toMatch(
      /SESSION_SECRET: must be at least 32 characters \(got 18 characters, not shown\)/,
    );
    expect(message).toMatch(/ADMIN_PASSWORD: must be at least 8 characters \(got 7 characters, not shown\)/);
    expect(message).toMatch(/TWILIO_AUTH_TOKEN: .*not shown/);
    for (const secret of ['short-secret-value', 'pw12345', 'tok-abcdef'])
      expect(message).not.toContain(secret);
    // Other variables still show what they got.
    expect(problem({ PORT: 'eighty' })).toMatch(/\(got "eighty"\)/);
  });
});
