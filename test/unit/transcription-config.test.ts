// TRANSCRIBE_* / LLM_* / DELETE_TWILIO_RECORDINGS: off unless set, defaults, and the mistakes that
// stop start-up naming the variable (with secrets never echoed).
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { transcriptionStatus } from '../../src/jobs/transcription-status.js';

const problems = (env: Record<string, string>): string => {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('transcription settings', () => {
  it('are off when unset, and the status says so', () => {
    const config = parseConfig({});
    expect(config.transcription).toBeUndefined();
    expect(config.llm).toBeUndefined();
    expect(config.deleteTwilioRecordings).toBe(false);
    expect(transcriptionStatus(config)).toEqual({
      transcription: false,
      analysis: false,
      transcribeHost: null,
      llmHost: null,
      model: null,
      language: null,
      deleteTwilioRecordings: false,
    });
  });

  it('default to whisper-1, Hebrew, two at a time; LLM to gpt-4o-mini; trailing slashes dropped', () => {
    const config = parseConfig({
      TRANSCRIBE_URL: 'https://api.openai.com/v1/',
      TRANSCRIBE_API_KEY: 'sk-secret-transcribe',
      LLM_URL: 'https://api.openai.com/v1',
      LLM_API_KEY: 'sk-secret-llm',
      DELETE_TWILIO_RECORDINGS: 'true',
    });
    expect(config.transcription).toEqual({
      url: 'https://api.openai.com/v1',
      apiKey: 'sk-secret-transcribe',
      model: 'whisper-1',
      language: 'he',
      concurrency: 2,
    });
    expect(config.llm).toEqual({
      url: 'https://api.openai.com/v1',
      apiKey: 'sk-secret-llm',
      model: 'gpt-4o-mini',
    });
    const status = transcriptionStatus(config);
    expect(status).toMatchObject({ transcription: true, analysis: true, transcribeHost: 'api.openai.com' });
    expect(JSON.stringify(status)).not.toContain('sk-secret');
  });

  it('take a self-hosted server over plain http without a key, or with one on loopback', () => {
    expect(parseConfig({ TRANSCRIBE_URL: 'http://gpu-box.lan:8000/v1' }).transcription?.url).toBe(
      'http://gpu-box.lan:8000/v1',
    );
    expect(
      parseConfig({ TRANSCRIBE_URL: 'http://127.0.0.1:8000/v1', TRANSCRIBE_API_KEY: 'k' }).transcription
        ?.apiKey,
    ).toBe('k');
  });

  it('refuse a key without its URL, a key over http to another host, credentials in the URL', () => {
    expect(problems({ TRANSCRIBE_API_KEY: 'sk-1' })).toContain(
      'TRANSCRIBE_API_KEY is set without TRANSCRIBE_URL',
    );
    expect(problems({ LLM_API_KEY: 'sk-1' })).toContain('LLM_API_KEY is set without LLM_URL');
    const http = problems({ LLM_URL: 'http://llm.example.com/v1', LLM_API_KEY: 'sk-hidden-value' });
    expect(http).toContain('LLM_URL: http:// sends LLM_API_KEY in cleartext');
    expect(http).not.toContain('sk-hidden-value');
    const creds = problems({ TRANSCRIBE_URL: 'https://user:hunter2@stt.example.com/v1' });
    expect(creds).toContain('TRANSCRIBE_URL: must not carry credentials: put the key in TRANSCRIBE_API_KEY');
    expect(creds).not.toContain('hunter2');
    expect(problems({ TRANSCRIBE_URL: 'ftp://x' })).toContain('TRANSCRIBE_URL: must be an http(s):// URL');
    expect(problems({ TRANSCRIBE_URL: 'https://x/v1', TRANSCRIBE_LANGUAGE: 'Hebrew' })).toContain(
      'TRANSCRIBE_LANGUAGE: must be an ISO-639-1 language code',
    );
    expect(problems({ TRANSCRIBE_CONCURRENCY: '0' })).toContain('TRANSCRIBE_CONCURRENCY: must be at least 1');
    expect(problems({ DELETE_TWILIO_RECORDINGS: 'maybe' })).toContain(
      'DELETE_TWILIO_RECORDINGS: must be true or false',
    );
  });
});
