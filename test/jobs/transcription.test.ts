// Transcription and analysis through the real server: webhooks as Twilio sends them, voicemails
// fetched with basic auth from a fake Twilio (404 until ready), a fake speech-to-text server
// parsing the multipart upload for real, a fake chat-completions server; 429 then success, a 4xx
// on the call's timeline, and a server without the settings sending nothing anywhere.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingView } from '../../src/api/crm-views.js';
import type { LiveCallEvent } from '../../src/call/call-events.js';
import { transcriptionStatus } from '../../src/jobs/transcription-jobs.js';
import { startFakeChatServer, type FakeChatServer } from '../fakes/fake-chat-completions.js';
import {
  startFakeTranscriptionServer,
  type FakeTranscriptionServer,
  type TranscriptionAnswer,
} from '../fakes/fake-transcription-server.js';
import { startFakeTwilioRecordings, type FakeTwilioRecordings } from '../fakes/fake-twilio-recordings.js';
import { useCleanup } from '../support/cleanup.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  incomingCallParams,
  newCallSid,
  postSigned,
  startTestServer,
  type TestServer,
} from '../support/server.js';
import { until } from '../support/until.js';
import { answerClip, recordingSid, testWav, voicemailCall } from './support.js';

const ANALYSIS = {
  summary: 'דני ביקש הצעת מחיר לשיפוץ מטבח ויחזרו אליו מחר בבוקר.',
  name: 'דני כהן',
  need: 'שיפוץ מטבח',
  urgency: 'normal',
  callbackTime: 'מחר בבוקר',
  sentiment: 'positive',
};
const TIMING = { pollMs: 50, backoffBaseMs: 50, settleMs: 200 };

interface Rig {
  server: TestServer;
  stt: FakeTranscriptionServer;
  chat: FakeChatServer;
  twilio: FakeTwilioRecordings;
  live: LiveCallEvent[];
}

const cleanup = { add: useCleanup() };

async function rig(
  sttAnswer: (n: number) => TranscriptionAnswer,
  env: Record<string, string> = {},
): Promise<Rig> {
  const stt = await startFakeTranscriptionServer(sttAnswer);
  const chat = await startFakeChatServer(() => ({ content: JSON.stringify(ANALYSIS) }));
  const twilio = await startFakeTwilioRecordings(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN);
  const server = await startTestServer(
    {
      TRANSCRIBE_URL: stt.url,
      TRANSCRIBE_API_KEY: 'sk-test-transcribe-key',
      LLM_URL: chat.url,
      LLM_API_KEY: 'sk-test-llm-key',
      LLM_MODEL: 'test-llm',
      TWILIO_API_BASE_URL: twilio.url,
      ...env,
    },
    { transcription: { timing: TIMING } },
  );
  const live: LiveCallEvent[] = [];
  const unsubscribe = server.built.deps.events.subscribe((e) => live.push(e));
  cleanup.add(async () => {
    unsubscribe();
    await server.stop();
    await Promise.all([stt.close(), chat.close(), twilio.close()]);
  });
  return { server, stt, chat, twilio, live };
}

describe('voicemail', () => {
  it('is fetched from Twilio once ready, kept 0600, transcribed onto the call, analysed, deleted at Twilio', async () => {
    const r = await rig(
      () => ({ text: 'שלום, זה דני כהן, אני צריך הצעת מחיר למטבח. תחזרו אליי מחר בבוקר.' }),
      {
        DELETE_TWILIO_RECORDINGS: 'true',
      },
    );
    const sid = recordingSid();
    const wav = testWav();
    const callSid = await voicemailCall(r.server.origin, sid);
    // Twilio answers 404 until its file is ready: the job retries until it is.
    // The job met Twilio's 404 and is waiting to retry (the fake answers after a tick, so the first
    // request alone does not say it was answered yet).
    const waiting = await until(
      async () => (await r.server.store.getJob(`transcribe:${sid}`))?.lastError,
      'the first fetch answered 404',
    );
    expect(waiting).toContain('Twilio has no audio');
    expect(r.twilio.requests[0]).toMatchObject({ authorized: true });
    expect(r.twilio.deletes).toEqual([]);
    r.twilio.recordings.set(sid, wav);

    const recording = await until(
      async () => (await r.server.store.getRecording(sid))?.transcript,
      'the voicemail transcript',
    );
    expect(recording).toContain('דני כהן');
    const [upload] = r.stt.requests;
    expect(upload).toMatchObject({
      path: '/v1/audio/transcriptions',
      authorization: 'Bearer sk-test-transcribe-key',
      model: 'whisper-1',
      language: 'he',
      responseFormat: 'verbose_json',
      filename: `${sid}.wav`,
      fileType: 'audio/wav',
    });
    expect(upload!.file!.equals(wav)).toBe(true);
    const kept = path.join(r.server.dataDir, 'recordings', `${sid}.wav`);
    expect((await stat(kept)).mode & 0o777).toBe(0o600);

    const turns = await r.server.store.listTranscript(callSid);
    expect(turns.filter((t) => t.role === 'caller').map((t) => t.text)).toEqual([recording]);

    // The analysis: a summary and the lead's fields from the chat server's schema-checked answer.
    const call = await until(async () => (await r.server.store.getCall(callSid))?.summary, 'the summary');
    expect(call).toBe(ANALYSIS.summary);
    const lead = await r.server.store.getLeadForCall(callSid);
    expect(lead?.fields.analysis).toEqual({
      name: 'דני כהן',
      need: 'שיפוץ מטבח',
      urgency: 'normal',
      callbackTime: 'מחר בבוקר',
      sentiment: 'positive',
    });
    const [ask] = r.chat.requests;
    expect(ask).toMatchObject({ authorization: 'Bearer sk-test-llm-key', body: { model: 'test-llm' } });
    expect(ask!.body!.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'call_analysis', strict: true },
    });
    expect(JSON.stringify(ask!.body!.messages)).toContain('דני כהן');

    // The CRM's search finds the call by a word of the voicemail, and its lead by the analysis.
    const found = await r.server.store.listCrmCalls({ text: 'מטבח' }, {});
    expect(found.items.map((c) => c.callSid)).toContain(callSid);
    const leads = await r.server.store.listLeads({ text: 'מחר בבוקר' }, {});
    expect(leads.items.map((l) => l.callSid)).toContain(callSid);
    expect(recordingView((await r.server.store.getRecording(sid))!)).toMatchObject({ transcript: recording });

    // Twilio's copy is deleted; the dashboard still plays ours.
    await until(() => !r.twilio.recordings.has(sid), 'the DELETE at Twilio');
    expect(r.twilio.deletes).toEqual([`/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${sid}.json`]);
    expect(r.twilio.requests.every((q) => q.authorized)).toBe(true);
    await until(
      async () => (await r.server.store.listCallEvents(callSid)).some((e) => e.name === 'deleted-at-twilio'),
      'the deletion on the timeline',
    );
    expect((await stat(kept)).size).toBe(wav.length);

    // Live events for the dashboard: the transcript turn and each job done.
    const mine = r.live.filter((e) => e.callSid === callSid);
    expect(mine.some((e) => e.type === 'transcript' && e.role === 'caller')).toBe(true);
    expect(mine.filter((e) => e.type === 'job.done').map((e) => e.type === 'job.done' && e.job)).toEqual([
      'transcribe',
      'analyze',
    ]);
    // The transcript never reaches the logs.
    expect(r.server.logs.lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain('דני');
    const jobs = await r.server.store.listJobsForCall(callSid);
    expect(jobs.map((j) => [j.kind, j.doneAt !== null])).toEqual([
      ['transcribe', true],
      ['analyze', true],
    ]);
    expect(jobs[0]!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('429 then success: retried with backoff, transcribed once', async () => {
    const r = await rig((n) => (n === 0 ? { status: 429 } : { text: 'תחזרו אליי בבקשה' }));
    const sid = recordingSid();
    r.twilio.recordings.set(sid, testWav());
    const callSid = await voicemailCall(r.server.origin, sid);
    await until(async () => (await r.server.store.getJob(`transcribe:${sid}`))?.doneAt, 'the job done');
    expect(r.stt.requests).toHaveLength(2);
    expect(await r.server.store.getJob(`transcribe:${sid}`)).toMatchObject({ attempts: 2, lastError: null });
    expect((await r.server.store.listTranscript(callSid)).map((t) => t.text)).toEqual(['תחזרו אליי בבקשה']);
    expect(r.server.logs.lines.some((l) => String(l.msg).startsWith('JOB_RETRY'))).toBe(true);
  });

  it('a 4xx fails at once, with the reason on the call’s timeline', async () => {
    const r = await rig(() => ({ status: 400 }));
    const sid = recordingSid();
    r.twilio.recordings.set(sid, testWav());
    const callSid = await voicemailCall(r.server.origin, sid);
    const failed = await until(
      async () =>
        (await r.server.store.listCallEvents(callSid)).find((e) => e.name === 'transcription-failed'),
      'the failure on the timeline',
    );
    expect(failed).toMatchObject({ kind: 'job', detail: { recordingSid: sid, attempts: 1 } });
    expect(String(failed.detail?.reason)).toContain('HTTP 400');
    expect(r.stt.requests).toHaveLength(1);
    expect((await r.server.store.getJob(`transcribe:${sid}`))?.failedAt).not.toBeNull();
    expect(r.live.some((e) => e.type === 'call.timeline' && e.name === 'transcription-failed')).toBe(true);
    // Nothing to analyse: no text, so the chat server is never asked.
    expect(r.chat.requests).toHaveLength(0);
  });
});

describe('flow answers', () => {
  it('each answer clip is transcribed and its text lands beside the clip in the lead', async () => {
    const texts = new Map<string, string>();
    const r = await rig((n) => ({ text: [...texts.values()][n] ?? '?' }));
    const callSid = newCallSid();
    await postSigned(`${r.server.origin}/webhook/incoming_call`, incomingCallParams(callSid));
    const nameWav = testWav();
    const needWav = testWav();
    // The fake answers in upload order; the clips are uploaded one by one in the order kept.
    texts.set('name', 'דני כהן');
    texts.set('need', 'אני צריך שיפוץ מטבח');
    const nameClip = await answerClip(r.server.store, r.server.dataDir, callSid, 'name', nameWav);
    await until(async () => (await r.server.store.getRecording(nameClip))?.transcript, 'the name');
    const needClip = await answerClip(r.server.store, r.server.dataDir, callSid, 'need', needWav);
    await postSigned(`${r.server.origin}/webhook/call_status`, { CallSid: callSid, CallStatus: 'completed' });

    const lead = await until(async () => {
      const l = await r.server.store.getLeadForCall(callSid);
      return l?.fields.analysis ? l : undefined;
    }, 'the analysed lead');
    expect(lead.fields.name).toEqual({ clip: nameClip, durationMs: 500, text: 'דני כהן' });
    expect(lead.fields.need).toEqual({ clip: needClip, durationMs: 500, text: 'אני צריך שיפוץ מטבח' });
    expect(r.stt.requests.map((q) => q.file!.equals(nameWav) || q.file!.equals(needWav))).toEqual([
      true,
      true,
    ]);
    // The model is told which question each answer answers.
    const asked = JSON.parse(r.chat.requests[0]!.body!.messages![1]!.content) as { transcript: unknown[] };
    expect(asked.transcript).toEqual([
      { role: 'caller', text: 'דני כהן', field: 'name' },
      { role: 'caller', text: 'אני צריך שיפוץ מטבח', field: 'need' },
    ]);
    expect((await r.server.store.getCall(callSid))?.summary).toBe(ANALYSIS.summary);
    const done = r.live.filter((e) => e.callSid === callSid && e.type === 'job.done');
    expect(done.map((e) => e.type === 'job.done' && e.field)).toEqual(['name', 'need', null]);
  });
});

describe('without the settings', () => {
  it('sends no request anywhere, while a configured server does the same call', async () => {
    const off = {
      stt: await startFakeTranscriptionServer(),
      chat: await startFakeChatServer(() => ({ content: JSON.stringify(ANALYSIS) })),
      twilio: await startFakeTwilioRecordings(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
    };
    // LLM_URL alone analyses nothing (there is no text without transcription).
    const server = await startTestServer({ LLM_URL: off.chat.url, TWILIO_API_BASE_URL: off.twilio.url });
    cleanup.add(async () => {
      await server.stop();
      await Promise.all([off.stt.close(), off.chat.close(), off.twilio.close()]);
    });
    expect(transcriptionStatus(server.config)).toMatchObject({ transcription: false, analysis: false });
    const ready = (await (await fetch(`${server.origin}/readyz`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ transcription: 'disabled', analysis: 'disabled' });
    expect(server.logs.lines.some((l) => String(l.msg).startsWith('TRANSCRIPTION_OFF'))).toBe(true);

    const on = await rig(() => ({ text: 'שלום' }));
    const offSid = recordingSid();
    const onSid = recordingSid();
    off.twilio.recordings.set(offSid, testWav());
    on.twilio.recordings.set(onSid, testWav());
    const [offCall, onCall] = await Promise.all([
      voicemailCall(server.origin, offSid),
      voicemailCall(on.server.origin, onSid),
    ]);
    // By the time the configured server has transcribed and analysed its call…
    await until(
      async () => (await on.server.store.getCall(onCall))?.summary,
      'the configured server’s summary',
    );
    // …the other has sent nothing to any of its fakes and queued nothing.
    expect(off.stt.requests.length + off.chat.requests.length + off.twilio.requests.length).toBe(0);
    expect(await server.store.listJobsForCall(offCall)).toEqual([]);
    expect((await server.store.getRecording(offSid))?.transcript).toBeUndefined();
    expect(transcriptionStatus(on.server.config)).toMatchObject({
      transcription: true,
      analysis: true,
      transcribeHost: new URL(on.stt.url).host,
    });
  });
});
