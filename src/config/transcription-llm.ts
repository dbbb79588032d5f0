// Speech-to-text and post-call analysis, both OpenAI-compatible HTTP APIs: their URLs, keys and
// models, and the rule that a key never crosses the network over plain http.
import { z } from 'zod';
import type { Config } from '../config.js';
import { ConfigError } from './config-error.js';
import { bool, int, opt } from './schema-kit.js';
import { isLoopbackUrl, LOOPBACK, shownValue } from './secrets.js';

export interface TranscriptionConfig {
  /** Base URL of the API, e.g. https://api.openai.com/v1 (the client appends /audio/transcriptions). */
  readonly url: string;
  readonly apiKey: string | undefined;
  readonly model: string;
  /** ISO-639-1 language of the callers, e.g. he. */
  readonly language: string;
  /** Jobs (transcriptions and analyses) one instance runs at once. */
  readonly concurrency: number;
}

export interface LlmConfig {
  readonly url: string;
  readonly apiKey: string | undefined;
  readonly model: string;
}

/** The base URL of an OpenAI-compatible HTTP API: no query, no credentials in it. */
function apiBaseUrl(keyVariable: string) {
  return z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+[^?#\s]*$/i, { message: 'must be an http(s):// URL without a query' })
    .refine((v) => !/^https?:\/\/[^/]*@/i.test(v), {
      message: `must not carry credentials: put the key in ${keyVariable}`,
    });
}

export const transcriptionLlmEnvSchema = z.object({
  TRANSCRIBE_URL: opt(apiBaseUrl('TRANSCRIBE_API_KEY')),
  TRANSCRIBE_API_KEY: opt(z.string()),
  TRANSCRIBE_MODEL: opt(z.string().max(200)),
  TRANSCRIBE_LANGUAGE: opt(
    z.string().regex(/^[a-z]{2,3}$/, { message: 'must be an ISO-639-1 language code such as he' }),
  ),
  TRANSCRIBE_CONCURRENCY: int(2, 1, 64),
  DELETE_TWILIO_RECORDINGS: bool(false),
  LLM_URL: opt(apiBaseUrl('LLM_API_KEY')),
  LLM_API_KEY: opt(z.string()),
  LLM_MODEL: opt(z.string().max(200)),
});

export type TranscriptionLlmSettings = Pick<Config, 'transcription' | 'llm' | 'deleteTwilioRecordings'>;

export function transcriptionLlmConfig(
  e: z.infer<typeof transcriptionLlmEnvSchema>,
): TranscriptionLlmSettings {
  for (const [key, url] of [
    ['TRANSCRIBE_API_KEY', 'TRANSCRIBE_URL'],
    ['LLM_API_KEY', 'LLM_URL'],
  ] as const) {
    if (e[key] && !e[url]) {
      throw new ConfigError([
        `${key} is set without ${url}: set ${url} too (e.g. https://api.openai.com/v1), or unset ${key}`,
      ]);
    }
    // A key over plain http would cross the network readable; the audio may, to the operator's own box.
    if (e[key] && e[url] && /^http:/i.test(e[url]) && !isLoopbackUrl(e[url])) {
      throw new ConfigError([
        `${url}: http:// sends ${key} in cleartext (got ${shownValue(url, e[url])}): use https://, or http:// only to ${LOOPBACK}`,
      ]);
    }
  }
  return {
    transcription: e.TRANSCRIBE_URL
      ? {
          url: e.TRANSCRIBE_URL.replace(/\/+$/, ''),
          apiKey: e.TRANSCRIBE_API_KEY,
          model: e.TRANSCRIBE_MODEL ?? 'whisper-1',
          language: e.TRANSCRIBE_LANGUAGE ?? 'he',
          concurrency: e.TRANSCRIBE_CONCURRENCY,
        }
      : undefined,
    llm: e.LLM_URL
      ? { url: e.LLM_URL.replace(/\/+$/, ''), apiKey: e.LLM_API_KEY, model: e.LLM_MODEL ?? 'gpt-4o-mini' }
      : undefined,
    deleteTwilioRecordings: e.DELETE_TWILIO_RECORDINGS,
  };
}
