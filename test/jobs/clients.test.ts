// The two HTTP clients against their fakes: what is sent, and which failures are worth a retry
// (429, 5xx, the network, a model answer off the schema) and which are final (other 4xx).
import { afterEach, expect, it } from 'vitest';
import { OpenAiCallAnalyzer } from '../../src/jobs/call-analyzer.js';
import { JobFailure } from '../../src/jobs/job-failure.js';
import { OpenAiTranscriber } from '../../src/jobs/transcriber.js';
import { startFakeChatServer, type ChatAnswer } from '../fakes/fake-chat-completions.js';
import { startFakeTranscriptionServer } from '../fakes/fake-transcription-server.js';
import { freePort } from '../support/server.js';
import { testWav } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
const signal = () => AbortSignal.timeout(10_000);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(JobFailure);
      return err as JobFailure;
    },
  );

it('asks gpt-4o transcription models for json, others for verbose_json, without a key when none is set', async () => {
  const stt = await startFakeTranscriptionServer(() => ({ text: ' שלום ' }));
  closers.push(() => stt.close());
  const audio = { data: testWav(), filename: 'a.wav', contentType: 'audio/wav' };
  const gpt = new OpenAiTranscriber({
    url: stt.url,
    apiKey: undefined,
    model: 'gpt-4o-transcribe',
    language: 'he',
  });
  expect(await gpt.transcribe(audio, signal())).toEqual({ text: 'שלום' });
  const whisper = new OpenAiTranscriber({ url: stt.url, apiKey: 'k', model: 'whisper-1', language: 'he' });
  expect(await whisper.transcribe(audio, signal())).toMatchObject({ text: 'שלום', language: 'hebrew' });
  expect(stt.requests.map((r) => [r.responseFormat, r.authorization])).toEqual([
    ['json', undefined],
    ['verbose_json', 'Bearer k'],
  ]);
});

it('a transcription 401 is final, a 503 or no server at all is retried', async () => {
  const stt = await startFakeTranscriptionServer((n) => ({ status: n === 0 ? 401 : 503 }));
  closers.push(() => stt.close());
  const audio = { data: testWav(), filename: 'a.wav', contentType: 'audio/wav' };
  const client = new OpenAiTranscriber({ url: stt.url, apiKey: 'k', model: 'whisper-1', language: 'he' });
  expect(await failure(client.transcribe(audio, signal()))).toMatchObject({ retryable: false, status: 401 });
  expect(await failure(client.transcribe(audio, signal()))).toMatchObject({ retryable: true, status: 503 });
  const nobody = new OpenAiTranscriber({
    url: `http://127.0.0.1:${await freePort()}/v1`,
    apiKey: 'k',
    model: 'whisper-1',
    language: 'he',
  });
  expect(await failure(nobody.transcribe(audio, signal()))).toMatchObject({ retryable: true });
});

it('validates the model’s answer against the schema; off-schema and non-JSON answers are retried', async () => {
  const answers: ChatAnswer[] = [
    { content: 'not json' },
    { content: JSON.stringify({ summary: 'x', name: null }) },
    { status: 400 },
    { status: 429 },
    {
      content: JSON.stringify({
        summary: 'ok',
        name: null,
        need: null,
        urgency: 'high',
        callbackTime: null,
        sentiment: 'neutral',
      }),
    },
  ];
  const chat = await startFakeChatServer((n) => answers[n]!);
  closers.push(() => chat.close());
  const analyzer = new OpenAiCallAnalyzer({ url: chat.url, apiKey: undefined, model: 'm' });
  const input = { kind: 'voicemail' as const, turns: [{ role: 'caller' as const, text: 'דחוף' }] };
  expect(await failure(analyzer.analyze(input, signal()))).toMatchObject({ retryable: true });
  const off = await failure(analyzer.analyze(input, signal()));
  expect(off.retryable).toBe(true);
  expect(off.message).toContain('does not match the schema');
  expect(await failure(analyzer.analyze(input, signal()))).toMatchObject({ retryable: false, status: 400 });
  expect(await failure(analyzer.analyze(input, signal()))).toMatchObject({ retryable: true, status: 429 });
  expect(await analyzer.analyze(input, signal())).toMatchObject({ summary: 'ok', urgency: 'high' });
  // The schema sent is strict: every property required, nothing else allowed.
  const schema = chat.requests[0]!.body!.response_format!.json_schema!.schema as {
    required: string[];
    additionalProperties: boolean;
  };
  expect(schema.additionalProperties).toBe(false);
  expect([...schema.required].sort()).toEqual([
    'callbackTime',
    'name',
    'need',
    'sentiment',
    'summary',
    'urgency',
  ]);
  expect(chat.requests[0]!.authorization).toBeUndefined();
});
