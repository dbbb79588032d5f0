// Transcripts (both sides, timed) and the post-call summary requested on the same session as an
// out-of-band text response, stored with setCallSummary and merged into the call's lead.
import { afterEach, describe, expect, it } from 'vitest';
import { audio, CALL_SID, frame, harness, tick, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('OpenAI Realtime agent: transcripts and summary', () => {
  it('stores both sides as timed turns, marking an interrupted agent turn', async () => {
    h = await harness({ factory: { speakFirst: false } });
    const agent = await h.startAgent();
    const conn = await h.server.connection();
    await conn.waitFor('session.update');
    for (let i = 0; i < 5; i += 1) agent.onAudio(frame(1000 + i * 20));
    await conn.waitForCount('input_audio_buffer.append', 5);

    const said = conn.speechStarted(20); // 20 ms into the audio this session received
    conn.speechStopped(said, 80);
    conn.inputTranscript(said, 'שלום, אני רוצה להזמין תור');
    const { response, itemId } = conn.speak([audio(200, 1)], '', { finish: false });
    await h.control.until(() => h!.control.pendingMs() === 200, 'the answer');
    h.control.hear(100);
    conn.speechStarted(300);
    await conn.waitFor('conversation.item.truncate');
    conn.transcriptDone(response, itemId, 'בטח, לאיזה יום');
    await tick(50);

    const turns = await h.store.listTranscript(CALL_SID);
    expect(turns.map((t) => [t.role, t.text])).toEqual([
      ['caller', 'שלום, אני רוצה להזמין תור'],
      ['agent', 'בטח, לאיזה יום …'],
    ]);
    expect(turns[0]).toMatchObject({ startMs: 1020, endMs: 1080 });
    const agentTurn = turns[1];
    expect((agentTurn?.endMs ?? 0) - (agentTurn?.startMs ?? 0)).toBe(100); // what the caller heard of it
    expect(agentTurn?.startMs).toBe(1080); // queued while the last caller frame was at 1080 ms
  });

  it('asks for a text summary on the same session at the end and stores it with the lead fields', async () => {
    h = await harness({ factory: { speakFirst: false, summary: true } });
    h.server.behaviour.onResponseCreate = (conn, event) => {
      const body = event.response as { conversation?: string; metadata?: Record<string, string> };
      if (body.conversation !== 'none') return;
      const r = conn.startResponse({
        conversation: 'none',
        ...(body.metadata ? { metadata: body.metadata } : {}),
      });
      conn.text(
        r,
        '```json\n{"summary": "דנה מחפשת דירה בחיפה.", "lead": {"name": "דנה", "area": "חיפה", "budget": "2M"}}\n```',
      );
      conn.finishResponse(r);
    };
    await h.startAgent();
    const conn = await h.server.connection();
    await conn.waitFor('session.update');
    await h.store.saveLead({
      callSid: CALL_SID,
      contactId: null,
      fields: { name: 'Dana K.' },
      at: new Date(),
    });
    const said = conn.speechStarted(0);
    conn.inputTranscript(said, 'אני מחפשת דירה בחיפה');
    await tick(30);

    await h.agent().close('call ended');
    const request = conn
      .of('response.create')
      .find((e) => (e.response as { conversation?: string }).conversation === 'none');
    expect(request?.response).toMatchObject({
      output_modalities: ['text'],
      metadata: { purpose: 'call_summary' },
    });
    expect((await h.store.getCall(CALL_SID))?.summary).toBe('דנה מחפשת דירה בחיפה.');
    // The name the model saved during the call wins; the summary fills the gaps.
    expect((await h.store.getLeadForCall(CALL_SID))?.fields).toEqual({
      name: 'Dana K.',
      area: 'חיפה',
      budget: '2M',
    });
    await conn.whenClosed();
  });

  it('closes within its bound when the summary never comes', async () => {
    h = await harness({ factory: { speakFirst: false, summary: true, timings: { summaryTimeoutMs: 100 } } });
    await h.startAgent();
    const conn = await h.server.connection();
    await conn.waitFor('session.update');
    conn.inputTranscript(conn.speechStarted(0), 'הלו');
    await tick(30);
    const started = Date.now();
    await h.agent().close('call ended');
    expect(Date.now() - started).toBeLessThan(600);
    expect((await h.store.getCall(CALL_SID))?.summary).toBeNull();
  });

  it('skips the summary cleanly without an API key', async () => {
    h = await harness({ apiKey: undefined, factory: { speakFirst: false } });
    await h.startAgent();
    const conn = await h.server.connection();
    expect(conn.headers.authorization).toBeUndefined();
    await conn.waitFor('session.update');
    conn.inputTranscript(conn.speechStarted(0), 'הלו');
    await tick(30);
    await h.agent().close('call ended');
    expect(conn.of('response.create')).toEqual([]);
  });
});
