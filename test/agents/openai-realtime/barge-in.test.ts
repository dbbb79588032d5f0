// Barge-in against a fake Realtime server and a CallControl that models Twilio's marks: the
// caller's speech clears Twilio, cancels the response and truncates the audible item at exactly
// what the caller heard; late audio of the cancelled response never reaches the caller.
import { afterEach, describe, expect, it } from 'vitest';
import { audio, harness, type Harness } from './harness.js';
import { until } from '../../support/until.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

async function live(): Promise<{ h: Harness; conn: Awaited<ReturnType<Harness['server']['connection']>> }> {
  h = await harness({ factory: { speakFirst: false } });
  await h.startAgent();
  const conn = await h.server.connection();
  await conn.waitFor('session.update');
  return { h, conn };
}

describe('OpenAI Realtime agent: barge-in', () => {
  it('interrupts, cancels the response and truncates the audible item at the acknowledged ms', async () => {
    const { h, conn } = await live();
    const { response, itemId } = conn.speak([audio(100, 1), audio(100, 2), audio(100, 3)], '', {
      finish: false,
    });
    await h.control.until(() => h.control.pendingMs() === 300, 'the reply to be queued');
    h.control.hear(150); // Twilio echoed the marks up to 150 ms

    conn.speechStarted(1200);
    const cancel = await conn.waitFor('response.cancel');
    expect(cancel.response_id).toBe(response.id);
    const truncate = await conn.waitFor('conversation.item.truncate');
    expect(truncate).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: 150 });
    expect(h.control.interrupts).toBe(1);
    expect(h.control.pendingMs()).toBe(0);

    // Audio the server had generated before it saw the cancel: dropped. The model's next answer,
    // sent after it, is played: by then the late delta had been handled.
    conn.audioDelta(response, itemId, audio(100, 9));
    conn.speak([audio(100, 7)], 'כן?');
    await h.control.until(() => h.control.playedBytes().includes(7), 'the next answer to be played');
    expect([...new Set(h.control.playedBytes())]).toEqual([1, 2, 3, 7]);
    expect(conn.errors).toEqual([]); // the truncate point was within the item's audio
  });

  it('still clears and truncates when the response is done but its audio is queued at Twilio', async () => {
    const { h, conn } = await live();
    const { itemId } = conn.speak([audio(200, 1)], 'תשובה ארוכה');
    await h.control.until(() => h.control.pendingMs() === 200, 'the reply to be queued');
    h.control.hear(50); // response.done came before the speech on the socket: nothing to cancel upstream

    conn.speechStarted(900);
    const truncate = await conn.waitFor('conversation.item.truncate');
    expect(truncate).toMatchObject({ item_id: itemId, audio_end_ms: 50 });
    expect(h.control.interrupts).toBe(1);
    expect(conn.of('response.cancel')).toEqual([]);
  });

  it('does nothing when the caller speaks while the agent is silent', async () => {
    const { h, conn } = await live();
    conn.speak([audio(100, 1)], 'done');
    await h.control.until(() => h.control.pendingMs() === 100, 'the reply to be queued');
    h.control.hearAll();
    conn.speechStarted(500); // heard in full and done: nothing to stop

    // Then a barge-in that does stop something: everything below is its doing, and its cancel and
    // truncate went up after anything the first speech would (wrongly) have sent.
    const { response, itemId } = conn.speak([audio(100, 2)], '', { finish: false });
    await h.control.until(() => h.control.pendingMs() === 100, 'the next reply to be queued');
    h.control.hear(50);
    conn.speechStarted(900);
    await conn.waitFor('conversation.item.truncate');
    expect(h.control.interrupts).toBe(1);
    expect(conn.of('response.cancel').map((e) => e.response_id)).toEqual([response.id]);
    expect(conn.of('conversation.item.truncate')).toEqual([
      { type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 50 },
    ]);
  });

  it('truncates the item being heard, not a finished one, and later unheard items at 0', async () => {
    const { h, conn } = await live();
    const response = conn.startResponse();
    const first = conn.addAudioItem(response);
    conn.audioDelta(response, first, audio(100, 1));
    const second = conn.addAudioItem(response);
    conn.audioDelta(response, second, audio(100, 2));
    conn.audioDelta(response, second, audio(100, 3));
    const third = conn.addAudioItem(response);
    conn.audioDelta(response, third, audio(100, 4));
    await h.control.until(() => h.control.pendingMs() === 400, 'all items to be queued');
    h.control.hear(150); // all of the first item, 50 ms of the second

    conn.speechStarted(2000);
    await conn.waitForCount('conversation.item.truncate', 2);
    const truncates = conn.of('conversation.item.truncate');
    expect(truncates).toEqual([
      { type: 'conversation.item.truncate', item_id: second, content_index: 0, audio_end_ms: 50 },
      { type: 'conversation.item.truncate', item_id: third, content_index: 0, audio_end_ms: 0 },
    ]);
    expect(conn.errors).toEqual([]);
  });

  it('measures the heard position per barge-in: the timeline restarts after each interrupt', async () => {
    const { h, conn } = await live();
    conn.speak([audio(300, 1)], '', { finish: false });
    await h.control.until(() => h.control.pendingMs() === 300, 'first reply queued');
    h.control.hear(100);
    conn.speechStarted(100);
    await conn.waitForCount('conversation.item.truncate', 1);

    const { itemId } = conn.speak([audio(200, 2)], '', { finish: false });
    await h.control.until(() => h.control.pendingMs() === 200, 'second reply queued');
    h.control.hear(50);
    conn.speechStarted(900);
    await conn.waitForCount('conversation.item.truncate', 2);
    expect(conn.of('conversation.item.truncate')[1]).toMatchObject({ item_id: itemId, audio_end_ms: 50 });
    await until(() => h.control.interrupts === 2, 'second interrupt');
  });
});
