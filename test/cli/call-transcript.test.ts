// `agentlocator call --audio caller.wav --api-key …` against the real server with transcription on:
// the flow agent keeps the caller's answer as a clip, the server transcribes it (a fake
// speech-to-text server), and the CLI reads the transcript back through the CRM API.
import { afterEach, expect, it } from 'vitest';
import { mulawEncode } from '../../src/audio/mulaw.js';
import { newApiKeySecret } from '../../src/api/api-key-secret.js';
import { fetchServerTranscript } from '../../src/cli/call/call-transcript.js';
import { runCall } from '../../src/cli/call/run-call.js';
import { parseTarget } from '../../src/cli/target.js';
import { startFakeTranscriptionServer } from '../fakes/fake-transcription-server.js';
import { startTestServer, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * μ-law 8 kHz as the CLI sends it: 3 s of silence (the default flow's menu, key 3, then the
 * question "your name"), 1.2 s of a loud two-tone "voice" (the answer), 1.5 s of silence (its end).
 */
function speech(): Uint8Array {
  const pcm = new Int16Array(8 * (3000 + 1200 + 1500));
  for (let i = 8 * 3000; i < 8 * 4200; i++)
    pcm[i] = Math.round(9000 * (Math.sin(i * 0.3) + 0.5 * Math.sin(i * 0.71)));
  return mulawEncode(pcm);
}

async function keyFor(server: TestServer): Promise<string> {
  const { key, prefix, secretHash } = newApiKeySecret();
  await server.store.createApiKey({ name: 'cli', prefix, secretHash, createdBy: null, at: new Date() });
  return key;
}

it('prints the transcript the server made of the caller’s answer', async () => {
  const stt = await startFakeTranscriptionServer(() => ({ text: 'קוראים לי דני' }));
  closers.push(() => stt.close());
  const server = await startTestServer(
    { TRANSCRIBE_URL: stt.url },
    { transcription: { timing: { pollMs: 50, backoffBaseMs: 50, settleMs: 100 } } },
  );
  closers.push(() => server.stop());
  const key = await keyFor(server);
  const result = await runCall({
    target: parseTarget(server.origin),
    authToken: TEST_AUTH_TOKEN,
    accountSid: TEST_ACCOUNT_SID,
    audio: speech(),
    dtmf: [{ digits: '3', atMs: 300 }],
    durationMs: 9000,
  });
  await until(() => stt.requests.length >= 1, 'the answer clip uploaded', { timeoutMs: 20_000 });
  const transcript = await fetchServerTranscript({
    origin: server.origin,
    callSid: result.callSid,
    apiKey: key,
    waitMs: 20_000,
    pollMs: 100,
  });
  expect(transcript.turns).toContainEqual({ role: 'caller', text: 'קוראים לי דני' });
  expect(transcript.note).toBeUndefined();
  const lead = await server.store.getLeadForCall(result.callSid);
  const answered = Object.values(lead!.fields).find((v) => (v as { text?: string }).text === 'קוראים לי דני');
  expect(answered).toMatchObject({ clip: expect.stringMatching(/^LC/) });
  // A wrong key is told, not a crash.
  expect(
    await fetchServerTranscript({
      origin: server.origin,
      callSid: result.callSid,
      apiKey: 'al_wrong',
      waitMs: 0,
    }),
  ).toMatchObject({ turns: [], note: 'the server refused the API key' });
}, 60_000);

it('says transcription is off when the server has no TRANSCRIBE_URL', async () => {
  const server = await startTestServer();
  closers.push(() => server.stop());
  const key = await keyFor(server);
  const result = await runCall({
    target: parseTarget(server.origin),
    authToken: TEST_AUTH_TOKEN,
    accountSid: TEST_ACCOUNT_SID,
    audio: speech(),
    durationMs: 3000,
  });
  const transcript = await fetchServerTranscript({
    origin: server.origin,
    callSid: result.callSid,
    apiKey: key,
    waitMs: 20_000,
  });
  expect(transcript).toMatchObject({
    turns: [],
    note: 'transcription is off on the server (TRANSCRIBE_URL unset)',
  });
}, 60_000);
