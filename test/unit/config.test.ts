import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

describe('configuration', () => {
  it('runs with no environment at all on embedded defaults', () => {
    const c = parseConfig({});
    expect(c.port).toBe(5000);
    expect(c.agent).toBe('flow');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.publicHost).toBeUndefined();
    expect(c.webhookSignatureMode).toBe('enforce');
    expect(c.streamSignatureMode).toBe('enforce');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.openai)).toBe(true);
  });

  it('takes AGENTS_FILE as an absolute path; unset or empty means the directory is in the store', () => {
    expect(parseConfig({ AGENTS_FILE: 'conf/agents.yaml' }).agentsFile).toBe(
      path.resolve('conf/agents.yaml'),
    );
    expect(parseConfig({ AGENTS_FILE: '  ' }).agentsFile).toBeUndefined();
    expect(parseConfig({}).agentsFile).toBeUndefined();
  });

  it('strips scheme prefixes and default ports from the public host', () => {
    expect(parseConfig({ PUBLIC_HOST: 'https://Ai-CRM.example.com' }).publicHost).toBe('ai-crm.example.com');
    expect(parseConfig({ PUBLIC_HOST: 'ai-crm.example.com' }).publicHost).toBe('ai-crm.example.com');
    expect(parseConfig({ PUBLIC_BASE_URL: 'https://a.example.com:443/' }).publicHost).toBe('a.example.com');
    expect(parseConfig({ PUBLIC_BASE_URL: 'https://a.example.com:8443' }).publicHost).toBe(
      'a.example.com:8443',
    );
  });

  it('prefers PUBLIC_BASE_URL over PUBLIC_HOST', () => {
    expect(
      parseConfig({ PUBLIC_BASE_URL: 'https://new.example.com', PUBLIC_HOST: 'old.example.com' }).publicHost,
    ).toBe('new.example.com');
  });

  it('refuses a public URL with a path, query or credentials, naming the variable', () => {
    expect(() => parseConfig({ PUBLIC_BASE_URL: 'https://a.example.com/app' })).toThrow(
      /PUBLIC_BASE_URL.*path/,
    );
    expect(() => parseConfig({ PUBLIC_BASE_URL: 'https://a.example.com/?x=1' })).toThrow(/query/);
    expect(() => parseConfig({ PUBLIC_HOST: 'https://u:p@a.example.com' })).toThrow(/credentials/);
  });

  it('names every bad variable and what it got', () => {
    try {
      parseConfig({ PORT: 'eighty', AGENT: 'gpt', DATABASE_URL: 'mysql://x', STREAM_SIGNATURE_CHECK: 'off' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toMatch(/PORT: must be a whole number \(got "eighty"\)/);
      expect(message).toMatch(/AGENT: must be "flow" or "openai-realtime"/);
      expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
      expect(message).toMatch(/STREAM_SIGNATURE_CHECK: must be "enforce" or "log-only"/);
    }
  });

  it('WS_DIRECT_FRAMES: on by default, off with false, anything else named', () => {
    expect(parseConfig({}).wsDirectFrames).toBe(true);
    expect(parseConfig({ WS_DIRECT_FRAMES: 'false' }).wsDirectFrames).toBe(false);
    expect(parseConfig({ WS_DIRECT_FRAMES: '0' }).wsDirectFrames).toBe(false);
    expect(parseConfig({ WS_DIRECT_FRAMES: 'true' }).wsDirectFrames).toBe(true);
    expect(() => parseConfig({ WS_DIRECT_FRAMES: 'off' })).toThrow(
      /WS_DIRECT_FRAMES: must be true or false \(got "off"\)/,
    );
  });

  it('times a silent caller in seconds (fractions allowed), 8 s and two check-ins by default', () => {
    expect(parseConfig({}).idle).toEqual({ repromptMs: 8000, maxReprompts: 2 });
    expect(parseConfig({ IDLE_REPROMPT_SEC: '0.25', IDLE_MAX_REPROMPTS: '0' }).idle).toEqual({
      repromptMs: 250,
      maxReprompts: 0,
    });
    expect(() => parseConfig({ IDLE_REPROMPT_SEC: 'soon' })).toThrow(/IDLE_REPROMPT_SEC: must be a number/);
    expect(() => parseConfig({ IDLE_REPROMPT_SEC: '0' })).toThrow(/IDLE_REPROMPT_SEC: must be at least/);
    expect(() => parseConfig({ IDLE_MAX_REPROMPTS: '1.5' })).toThrow(/IDLE_MAX_REPROMPTS: must be a whole/);
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ PORT: '', DATABASE_URL: '', PUBLIC_HOST: ' ' }).port).toBe(5000);
  });

  it('asks for an API key when the OpenAI agent is selected without one', () => {
    expect(() => parseConfig({ AGENT: 'openai-realtime' })).toThrow(/OPENAI_API_KEY/);
    expect(parseConfig({ AGENT: 'openai-realtime', OPENAI_API_KEY: 'sk-test' }).agent).toBe(
      'openai-realtime',
    );
  });
});
