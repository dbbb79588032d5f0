// The OpenAI Realtime agent end to end: the real server (AGENT=openai-realtime) pointed at the fake
// Realtime server, calls placed by the Twilio emulator, hang-up and transfer through the real REST
// client into the fake Twilio REST API. Pre-warm, barge-in, tools, transcripts, summary, failover.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TwilioEmulator,
  startFakeTwilioRest,
  type CallResult,
  type EmulatedCall,
  type FakeTwilioRest,
  type PlaceCallOptions,
  type TimelineEvent,
} from '../../src/emulator/index.js';
import { encodeMp3 } from '../../src/audio/mp3.js';
import type { RouteRequest, Router } from '../../src/routing/router.js';
import { grantingLines, nobody, ringOne } from '../support/routes.js';
import {
  FakeRealtimeServer,
  type ClientEvent,
  type FakeRealtimeConnection,
} from '../fakes/fake-realtime-server.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  DIRECT_FRAMES,
  startTestServer,
  type LogLine,
  type TestServer,
} from '../support/server.js';
import { until } from '../support/until.js';

const API_KEY = 'sk-e2e-test-key';
const SALES_NUMBER = '+97235550000';
/** Calls run ten times faster than real time unless a test needs finer playback timing. */
const SPEED = 10;

/** `ms` of μ-law audio whose bytes all equal `fill` (8 bytes per ms); 0xff would be silence. */
const tone = (ms: number, fill: number): Buffer => Buffer.alloc(ms * 8, fill);
/** The model's audio arrives in 100 ms deltas, as the real service streams it. */
const deltas = (ms: number, fill: number): Buffer[] =>
  Array.from({ length: Math.ceil(ms / 100) }, (_, i) => tone(Math.min(100, ms - i * 100), fill));
const count = (audio: Buffer, fill: number): number => audio.reduce((n, b) => n + (b === fill ? 1 : 0), 0);
/** End position (ms of this generation) a mark named by PlaybackTracker stands for. */
const markEnd = (name: unknown): number => Number(/^g\d+:([\d.]+):\d+$/.exec(String(name))?.[1] ?? NaN);
/** The playback generation a mark belongs to (a clear starts the next one). */
const markGeneration = (name: unknown): number => Number(/^g(\d+):/.exec(String(name))?.[1] ?? NaN);

/** What the fake model does on this call: its n-th conversation response (0 = speak-first). */
interface Script {
  respond?: (conn: FakeRealtimeConnection, n: number) => void;
  /** The post-call summary's text answer. */
  summary?: string;
}

/** A 1 s greeting: the time the pre-warmed session has to open before the stream starts. */
function greetingFile(): string {
  const file = path.join(tmpdir(), `agentlocator-e2e-greeting-1s-${process.pid}.mp3`);
  writeFileSync(file, encodeMp3(new Int16Array(8000), 8000));
  return file;
}

describe('the OpenAI Realtime agent in a real call', () => {
  let fake: FakeRealtimeServer;
  let s: TestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;
  const routed: RouteRequest[] = [];
  const scripts = new Map<string, Script>();
  const responsesSeen = new WeakMap<FakeRealtimeConnection, number>();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  let callers = 0;

  // Sales answers; anything else has nobody available (voicemail).
  const router: Router = {
    async route(request) {
      routed.push(request);
      return request.department === 'sales'
        ? ringOne('Dana', SALES_NUMBER)
        : nobody('nobody-available', 'nobody in this department');
    },
  };

  /** The script of the call this session belongs to: the caller's number is in its instructions. */
  const scriptOf = (conn: FakeRealtimeConnection): Script | undefined => {
    const instructions = String(conn.session.instructions ?? '');
    for (const [from, script] of scripts) if (instructions.includes(from)) return script;
    return undefined;
  };

  /** The model: scripted conversation responses, and the summary for out-of-band text requests. */
  const onResponseCreate = (conn: FakeRealtimeConnection, event: ClientEvent): void => {
    const body = (event.response ?? {}) as { conversation?: string; metadata?: Record<string, string> };
    const script = scriptOf(conn);
    if (body.conversation === 'none') {
      const r = conn.startResponse({
        conversation: 'none',
        ...(body.metadata ? { metadata: body.metadata } : {}),
      });
      conn.text(r, script?.summary ?? '{"summary": "שיחה קצרה.", "lead": null}');
      conn.finishResponse(r);
      return;
    }
    const n = responsesSeen.get(conn) ?? 0;
    responsesSeen.set(conn, n + 1);
    if (script?.respond) script.respond(conn, n);
    else conn.speak(deltas(200, 0x11), 'שלום, במה אפשר לעזור?');
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    fake = await FakeRealtimeServer.start({ onResponseCreate });
    emulator = new TwilioEmulator({ authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID, speed: SPEED });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    s = await startTestServer(
      {
        AGENT: 'openai-realtime',
        OPENAI_API_KEY: API_KEY,
        OPENAI_REALTIME_URL: fake.url,
        OPENAI_REALTIME_MODEL: 'gpt-realtime-e2e',
        OPENAI_VOICE: 'marin',
        TWILIO_API_BASE_URL: rest.url,
        GREETING_FILE: greetingFile(),
      },
      { router, lines: grantingLines },
    );
  });
  afterEach(() => {
    // Every test leaves the provider as it found it.
    fake.behaviour.refuse = undefined;
    fake.behaviour.handshakeDelayMs = 0;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await emulator.close();
    await rest.close();
    await s.stop();
    await fake.close();
  });

  /** Places a call from a number of its own, so its Realtime session can be told apart. */
  function place(script: Script, opts: Partial<PlaceCallOptions> = {}): { call: EmulatedCall; from: string } {
    callers += 1;
    const from = `+9725011100${String(callers).padStart(2, '0')}`;
    scripts.set(from, script);
    const call = emulator.placeCall({
      webhookUrl: `${s.origin}/webhook/incoming_call`,
      statusCallbackUrl: `${s.origin}/webhook/call_status`,
      from,
      ...opts,
    });
    return { call, from };
  }

  /** The Realtime sessions opened for this caller (the number is in each session's instructions). */
  const sessionsOf = (from: string): FakeRealtimeConnection[] =>
    fake.connections.filter((c) =>
      c.of('session.update').some((e) => JSON.stringify(e.session).includes(from)),
    );

  async function sessionOf(from: string): Promise<FakeRealtimeConnection> {
    return until(() => sessionsOf(from)[0], 'a Realtime session for this caller');
  }

  /** The call's log lines whose message is `code` (alone or followed by `: detail`). */
  const logsOf = (callSid: string, code: string): LogLine[] =>
    s.logs.lines.filter((l) => l.callSid === callSid && (l.msg === code || l.msg.startsWith(`${code}:`)));

  /** The process is fine, Twilio flagged nothing, and nothing in the agent threw. */
  async function expectHealthy(callSid: string, result: CallResult): Promise<void> {
    expect(result.violations.filter((v) => v.severity !== 'notice')).toEqual([]);
    expect(result.ok).toBe(true);
    const ready = await fetch(`${s.origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ agent: 'ok', agentKind: 'openai-realtime' });
    const bugs = s.logs.lines.filter(
      (l) =>
        l.level >= 60 ||
        /^(REALTIME_BUG|REALTIME_HANDLER_THREW|REALTIME_CLOSE_FAILED|REALTIME_ON_OPEN_FAILED|AGENT_THREW|AGENT_START_FAILED|AGENT_CLOSE_FAILED|STORE_FAILED)/.test(
          l.msg,
        ),
    );
    expect(bugs.map((l) => [l.msg, l.err])).toEqual([]);
    expect(unhandled).toEqual([]);
    // The agent let go of its provider socket when the call ended.
    await until(
      () => s.logs.find('REALTIME_CLOSING').some((l) => l.callSid === callSid),
      'the agent to close',
    );
  }

  const timelineOf = (call: EmulatedCall, kind: string): TimelineEvent[] =>
    call.timeline.filter((e) => e.kind === kind);

  it('opens the session during the incoming-call webhook, so the agent speaks right after start', async () => {
    // A provider whose handshake takes 300 ms: with the greeting playing meanwhile, nobody waits for it.
    fake.behaviour.handshakeDelayMs = 300;
    const { call, from } = place({}, { speed: 2 });
    await call.waitFor('start-sent');
    // The stream's start has only just been written to the socket; the server has not read it yet,
    // and the provider already has this call's configured session.
    const before = sessionsOf(from);
    expect(before).toHaveLength(1);
    expect(before[0]!.of('session.update')).toHaveLength(1);
    const first = await call.waitFor('first-media-received');
    const conn = before[0]!;
    await until(() => count(call.playedAudio(), 0x11), 'the first turn to be heard', {
      is: (n) => n === 200 * 8,
    });
    const result = await call.hangUp();
    const start = timelineOf(call, 'start-sent')[0]!;
    // The caller heard the agent sooner after start than one provider handshake takes.
    expect(first.t - start.t).toBeLessThan(300);
    expect(sessionsOf(from)).toHaveLength(1);
    expect(logsOf(call.callSid, 'REALTIME_PREWARM_CLAIMED')[0]).toMatchObject({ state: 'open' });

    // The session as configured: the key as a bearer token, the model from OPENAI_REALTIME_MODEL,
    // μ-law both ways (no transcoding), Hebrew transcription, the voice and the CRM tools.
    expect(conn.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(new URL(conn.path, 'ws://x').searchParams.get('model')).toBe('gpt-realtime-e2e');
    const session = conn.of('session.update')[0]!.session as {
      audio: { input: Record<string, unknown>; output: Record<string, unknown> };
      tools: { name: string }[];
    };
    expect(session.audio.input).toMatchObject({
      format: { type: 'audio/pcmu' },
      transcription: { language: 'he' },
      turn_detection: { type: 'server_vad' },
    });
    expect(session.audio.output).toMatchObject({ format: { type: 'audio/pcmu' }, voice: 'marin' });
    expect(session.tools.map((t) => t.name).sort()).toEqual([
      'confirm_number_by_keypad',
      'end_call',
      'lookup_caller',
      'save_lead',
      'transfer_to_human',
    ]);
    // The caller's audio went up as it came, and the agent's reply came down whole.
    expect(conn.appends).toBeGreaterThan(0);
    // The upstream's frames were read and written on ws's socket unless WS_DIRECT_FRAMES=false.
    expect(logsOf(call.callSid, 'REALTIME_CONNECTED').map((l) => l.directFrames)).toEqual([DIRECT_FRAMES]);
    await expectHealthy(call.callSid, result);
  });

  it('stops the agent where the caller stopped hearing it when the caller talks over it', async () => {
    let cancelled: { id: string; itemId: string } | undefined;
    const { call, from } = place(
      {
        respond: (conn, n) => {
          if (n > 0) return;
          // A long answer, still streaming when the caller cuts in.
          const { response, itemId } = conn.speak(deltas(2000, 0x11), '', { finish: false });
          cancelled = { id: response.id, itemId };
        },
      },
      // Twice real time: fine enough for the playback position to be checked within a mark.
      { speed: 2 },
    );
    const conn = await sessionOf(from);
    await call.waitFor('mark-echoed', {
      match: (e) => e.detail.reason === 'played' && markEnd(e.detail.name) >= 400,
    });
    const speaking = cancelled!;
    const response = conn.state.responses.get(speaking.id)!;
    conn.speechStarted(1500);
    // Audio the model had produced before it saw the cancel: it must never reach the caller.
    conn.audioDelta(response, speaking.itemId, tone(200, 0x55));

    const cancel = await conn.waitFor('response.cancel');
    const truncate = await conn.waitFor('conversation.item.truncate');
    const clear = await call.waitFor('clear-received');
    // The model answers the caller, on the same socket after the late delta: once this answer has
    // been heard in full, any late audio let through would have been played before it.
    conn.speak(deltas(100, 0x66), 'כן?');
    await until(() => count(call.playedAudio(), 0x66), 'the next answer to be heard', {
      is: (n) => n === 100 * 8,
    });
    const result = await call.hangUp();

    expect(cancel.response_id).toBe(speaking.id);
    expect(truncate).toMatchObject({ item_id: speaking.itemId, content_index: 0 });
    const audioEndMs = truncate.audio_end_ms as number;
    // The truncate point is a position Twilio acknowledged with a mark, the latest one or, if that
    // echo was still on the wire, the one before…
    const acked = result.streams[0]!.marksEchoed.filter((m) => m.reason === 'played' && m.t <= clear.t);
    const ackedEnds = acked.map((m) => Math.floor(markEnd(m.name)));
    expect(ackedEnds).toContain(audioEndMs);
    expect(audioEndMs).toBeGreaterThanOrEqual(Math.max(...ackedEnds) - 50);
    // …and within the mark granularity of what the caller actually heard before the clear.
    const heardMs = count(result.streams[0]!.played, 0x11) / 8;
    expect(audioEndMs).toBeLessThanOrEqual(heardMs);
    expect(heardMs - audioEndMs).toBeLessThan(100);
    expect(logsOf(call.callSid, 'REALTIME_BARGE_IN')[0]).toMatchObject({ heardMs: audioEndMs });
    // The rest of the answer was dropped at Twilio and nothing of the cancelled response followed.
    expect(clear.detail.droppedBytes as number).toBeGreaterThan(0);
    expect(count(result.playedAudio, 0x55)).toBe(0);
    // The only marks after the clear are the next answer's, in the generation the clear started.
    const marks = timelineOf(call, 'mark-received');
    const cutGeneration = markGeneration(marks.filter((e) => e.t <= clear.t).at(-1)!.detail.name);
    const after = marks.filter((e) => e.t > clear.t).map((e) => e.detail.name);
    expect(after.map(markGeneration)).toEqual(after.map(() => cutGeneration + 1));
    expect(after.map(markEnd).at(-1)).toBe(100);
    expect(conn.errors).toEqual([]); // the fake accepted the truncate point as within the item
    await expectHealthy(call.callSid, result);
  });

  it('saves a lead through the save_lead tool, linked to the caller’s contact', async () => {
    const { call, from } = place({
      respond: (conn, n) => {
        if (n === 0) {
          const r = conn.startResponse();
          conn.functionCall(r, 'save_lead', {
            name: 'דנה כהן',
            need: 'דירת ארבעה חדרים',
            area: 'חיפה',
            budget: 'שני מיליון',
            callback_time: 'מחר בבוקר',
          });
          conn.finishResponse(r);
        } else conn.speak(deltas(200, 0x12), 'רשמתי, נחזור אליך מחר בבוקר.');
      },
    });
    const conn = await sessionOf(from);
    const output = await conn.waitFor('conversation.item.create', (e) => {
      const item = e.item as { type?: string };
      return item.type === 'function_call_output';
    });
    // The model's next turn, asked for after the output, is heard.
    await until(() => count(call.playedAudio(), 0x12), 'the reply to be heard', { is: (n) => n === 200 * 8 });
    const result = await call.hangUp();

    const answer = JSON.parse((output.item as { output: string }).output) as Record<string, unknown>;
    expect(answer).toMatchObject({ ok: true, lead_id: expect.any(Number) });
    const lead = await s.store.getLeadForCall(call.callSid);
    expect(lead?.fields).toMatchObject({
      name: 'דנה כהן',
      need: 'דירת ארבעה חדרים',
      area: 'חיפה',
      budget: 'שני מיליון',
      callback_time: 'מחר בבוקר',
    });
    const contact = await s.store.getContactByPhone(from);
    expect(contact).toBeDefined();
    expect(lead?.contactId).toBe(contact!.id);
    expect((await s.store.getCall(call.callSid))?.contactId).toBe(contact!.id);
    await expectHealthy(call.callSid, result);
  });

  it('transfers to a human through the REST API with <Dial>, after the announcement is heard', async () => {
    const { call } = place({
      respond: (conn, n) => {
        if (n === 0) {
          const r = conn.startResponse();
          const item = conn.addAudioItem(r);
          for (const d of deltas(300, 0x33)) conn.audioDelta(r, item, d);
          conn.transcriptDone(r, item, 'אני מעביר אותך למחלקת המכירות.');
          conn.functionCall(r, 'transfer_to_human', { department: 'sales', reason: 'רוצה לקנות' });
          conn.finishResponse(r);
        } else conn.speak(deltas(100, 0x34), 'רגע אחד.');
      },
    });
    const dial = await call.waitFor('dial');
    await call.waitFor('agent-bridged'); // Dana heard the whisper and pressed 1
    const result = await call.hangUp(); // the caller ends the call while talking to the human

    expect(routed.at(-1)).toMatchObject({ callSid: call.callSid, department: 'sales' });
    const update = rest.requests.find((r) => r.path.includes(call.callSid) && r.params.Twiml);
    expect(update).toMatchObject({ method: 'POST', status: 200 });
    expect(update!.params.Twiml).toContain(`<Dial`);
    expect(update!.params.Twiml).toContain(
      `/webhook/agent_whisper?attempt=0&amp;agent=dana" method="POST">${SALES_NUMBER}</Number>`,
    );
    // The emulator followed the new TwiML: the stream ended by the update and the human was dialled.
    expect(result.streams[0]!.endedBy).toBe('api-update');
    expect(dial.detail.targets).toEqual([{ kind: 'Number', value: SALES_NUMBER }]);
    expect(result.dials[0]?.targets).toEqual([{ kind: 'Number', value: SALES_NUMBER }]);
    // The announcement and the model's last words were heard in full before the transfer.
    expect(count(result.playedAudio, 0x33)).toBe(300 * 8);
    expect(count(result.playedAudio, 0x34)).toBe(100 * 8);
    const rested = timelineOf(call, 'rest-update')[0]!;
    const lastPlayed = timelineOf(call, 'mark-echoed')
      .filter((e) => e.detail.reason === 'played')
      .at(-1)!;
    expect(rested.t).toBeGreaterThanOrEqual(lastPlayed.t);
    expect((await s.store.getCall(call.callSid))?.outcome).toBe('transferred');
    await expectHealthy(call.callSid, result);
  });

  it('ends the call through the REST API once the goodbye has been heard', async () => {
    const { call, from } = place({
      respond: (conn, n) => {
        if (n > 0) return;
        const r = conn.startResponse();
        const item = conn.addAudioItem(r);
        for (const d of deltas(400, 0x22)) conn.audioDelta(r, item, d);
        conn.transcriptDone(r, item, 'תודה שהתקשרת, להתראות.');
        conn.functionCall(r, 'end_call', { reason: 'caller done' });
        conn.finishResponse(r);
      },
    });
    const result = await call.done;

    expect(result.endedBy).toBe('api');
    expect(result.streams[0]!.endedBy).toBe('api-hangup');
    const hangUp = rest.requests.find((r) => r.path.includes(call.callSid) && r.params.Status);
    expect(hangUp).toMatchObject({ method: 'POST', status: 200, params: { Status: 'completed' } });
    // The whole goodbye was heard, and only then was the call hung up.
    expect(count(result.playedAudio, 0x22)).toBe(400 * 8);
    const rested = timelineOf(call, 'rest-update')[0]!;
    const lastPlayed = timelineOf(call, 'mark-echoed')
      .filter((e) => e.detail.reason === 'played')
      .at(-1)!;
    expect(rested.t).toBeGreaterThanOrEqual(lastPlayed.t);
    // The goodbye was spoken in the same turn: no second turn was asked for.
    const conn = await sessionOf(from);
    expect(
      conn
        .of('response.create')
        .filter((e) => (e.response as { conversation?: string } | undefined)?.conversation !== 'none'),
    ).toHaveLength(1);
    const stored = await s.store.getCall(call.callSid);
    expect(stored).toMatchObject({ outcome: 'hangup: caller done' });
    await until(async () => (await s.store.getCall(call.callSid))?.status === 'completed', 'completed');
    await expectHealthy(call.callSid, result);
  });

  it('stores both sides of the conversation as timed turns, then the summary and its lead', async () => {
    const { call, from } = place({
      respond: (conn, n) => {
        if (n === 0) conn.speak(deltas(300, 0x11), 'שלום, במה אפשר לעזור?');
      },
      summary:
        '{"summary": "המתקשר מחפש דירה בחיפה ויחכה לשיחה חוזרת.", "lead": {"need": "דירה", "area": "חיפה"}}',
    });
    const conn = await sessionOf(from);
    await until(() => count(call.playedAudio(), 0x11), 'the greeting turn to be heard', {
      is: (n) => n === 300 * 8,
    });

    // The caller answers; the provider's VAD hears it and transcribes it, and the model replies.
    // The provider's clock is the audio it has received: a frame or two are still on their way
    // when the greeting has been heard, so the caller speaks a few frames later (as a person would),
    // not at a position the greeting's end may still be ahead of.
    const heardAt = conn.appends;
    await until(() => conn.appends, 'the frames in flight to arrive', { is: (n) => n >= heardAt + 3 });
    const appendsBefore = conn.appends;
    await call.sendAudio(tone(600, 0x40));
    const said = conn.speechStarted(appendsBefore * 20);
    conn.speechStopped(said, (appendsBefore + 30) * 20);
    conn.inputTranscript(said, 'אני מחפש דירה בחיפה');
    conn.speak(deltas(200, 0x13), 'בשמחה. מה התקציב?');
    await until(() => count(call.playedAudio(), 0x13), 'the reply to be heard', { is: (n) => n === 200 * 8 });
    const result = await call.hangUp();

    await until(async () => (await s.store.getCall(call.callSid))?.summary != null, 'the summary');
    const turns = await s.store.listTranscript(call.callSid);
    expect(turns.map((t) => [t.role, t.text])).toEqual([
      ['agent', 'שלום, במה אפשר לעזור?'],
      ['caller', 'אני מחפש דירה בחיפה'],
      ['agent', 'בשמחה. מה התקציב?'],
    ]);
    // Each turn is placed on the stream's clock, in the order it was spoken.
    for (const t of turns) {
      expect(t.startMs).toEqual(expect.any(Number));
      expect(t.endMs).toBeGreaterThan(t.startMs!);
    }
    expect(turns[1]!.startMs).toBeGreaterThanOrEqual(turns[0]!.endMs!);
    expect(turns[2]!.startMs).toBeGreaterThanOrEqual(turns[1]!.startMs!);

    // The summary: one out-of-band, text-only request on the same session after the call.
    const request = conn
      .of('response.create')
      .find((e) => (e.response as { conversation?: string } | undefined)?.conversation === 'none');
    expect(request?.response).toMatchObject({
      output_modalities: ['text'],
      metadata: { purpose: 'call_summary' },
    });
    const stored = await s.store.getCall(call.callSid);
    expect(stored?.summary).toBe('המתקשר מחפש דירה בחיפה ויחכה לשיחה חוזרת.');
    const lead = await s.store.getLeadForCall(call.callSid);
    expect(lead?.fields).toMatchObject({ need: 'דירה', area: 'חיפה' });
    expect(lead?.contactId).toBe(stored?.contactId);
    await expectHealthy(call.callSid, result);
  });

  /** The apology was heard in full, then the stream closed and <Connect action> answered <Record>. */
  async function expectVoicemail(call: EmulatedCall, result: CallResult, agentAudio: number): Promise<void> {
    const stream = result.streams[0]!;
    expect(stream).toMatchObject({ endedBy: 'server', closeCode: 1000 });
    // The apology: more than a second of speech after whatever the agent had said.
    const spoken = stream.played.length - count(stream.played, 0xff);
    expect(spoken - agentAudio).toBeGreaterThan(8000);
    expect(stream.marksEchoed.filter((m) => m.reason !== 'played')).toEqual([]);
    expect(stream.marksEchoed).toHaveLength(stream.marksReceived);
    const action = result.documents.find((d) => d.url?.endsWith('/webhook/stream_ended'));
    expect(action?.xml).toContain('<Record');
    expect(result.recordings).toHaveLength(1);
    await until(
      async () =>
        (await s.store.listRecordings(call.callSid)).some(
          (r) => r.source === 'voicemail' && r.recordingSid === result.recordings[0]!.recordingSid,
        ),
      'the voicemail recording in the store',
    );
    expect(logsOf(call.callSid, 'TO_VOICEMAIL')).toHaveLength(1);
  }

  it('apologises and takes a voicemail when the provider refuses the connection', async () => {
    fake.behaviour.refuse = {
      status: 401,
      body: JSON.stringify({
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error' },
      }),
    };
    const upgradesBefore = fake.upgrades;
    const { call } = place({}, { caller: { record: { durationSec: 1, end: 'hangup' } } });
    const result = await call.done;

    // The pre-warm was refused, then the one fresh attempt at start: no more.
    expect(fake.upgrades - upgradesBefore).toBe(2);
    expect(logsOf(call.callSid, 'REALTIME_FAILED')[0]?.reason).toMatch(/refused with HTTP 401/);
    await expectVoicemail(call, result, 0);
    await expectHealthy(call.callSid, result);
  });

  it('apologises and takes a voicemail when the provider drops the call and the reconnect fails', async () => {
    const { call, from } = place(
      { respond: (conn, n) => void (n === 0 && conn.speak(deltas(200, 0x11), 'שלום.')) },
      { caller: { record: { durationSec: 1, end: 'hangup' } } },
    );
    const conn = await sessionOf(from);
    await until(() => count(call.playedAudio(), 0x11), 'the first turn to be heard', {
      is: (n) => n === 200 * 8,
    });
    const upgradesBefore = fake.upgrades;
    fake.behaviour.refuse = { status: 503 };
    conn.close(1011, 'server error');
    const result = await call.done;

    expect(fake.upgrades - upgradesBefore).toBe(1); // one bounded reconnect
    expect(logsOf(call.callSid, 'REALTIME_RECONNECTING')).toHaveLength(1);
    expect(logsOf(call.callSid, 'REALTIME_FAILED')[0]?.reason).toMatch(/refused with HTTP 503/);
    await expectVoicemail(call, result, 200 * 8);
    await expectHealthy(call.callSid, result);
  });
});
