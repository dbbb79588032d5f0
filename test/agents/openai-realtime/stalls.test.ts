// A provider that takes the session and then goes quiet while a response is due (issue 15,
// part 2): at the first response, or mid-response after some audio. Its pings are answered, so
// only the response stall notices: one reconnect, and when that stalls too, the apology and
// voicemail. Never an open line with nothing on it.
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const APOLOGY = Buffer.alloc(800, 0x5a); // 100 ms
const STALL_MS = 300;

describe('OpenAI Realtime agent: a provider that stalls', () => {
  it('at the first response: reconnects, then apologises and takes a voicemail', async () => {
    h = await harness({ factory: { apologyAudio: APOLOGY, timings: { responseStallMs: STALL_MS } } });
    const started = Date.now();
    await h.startAgent();
    const first = await h.server.connection(1);
    await first.waitFor('response.create'); // the greeting is asked for and never comes
    const second = await h.server.connection(2);
    await second.waitFor('response.create'); // resumed, and silent again
    await h.control.until(() => h!.control.pendingMs() === 100, 'the apology');
    h.control.hearAll();
    await h.control.until(() => h!.control.voicemail !== undefined, 'voicemail');
    expect(h.control.voicemail).toMatch(/sent nothing for \d+ ms while a response was due/);
    expect(Date.now() - started).toBeLessThan(STALL_MS * 2 + 2000);
    await first.whenClosed();
  });

  it('mid-response, after some audio: the session is replaced and the call goes on', async () => {
    h = await harness({ factory: { timings: { responseStallMs: STALL_MS } } });
    await h.startAgent();
    const first = await h.server.connection(1);
    await first.waitFor('response.create');
    const r = first.startResponse();
    first.audioDelta(r, first.addAudioItem(r), Buffer.alloc(160, 0x11));
    await h.control.until(() => h!.control.played.length > 0, 'the first audio');
    // …and nothing more: no delta, no response.done.
    const second = await h.server.connection(2);
    await second.waitFor('response.create');
    const r2 = second.startResponse();
    second.audioDelta(r2, second.addAudioItem(r2), Buffer.alloc(160, 0x22));
    second.finishResponse(r2);
    await h.control.until(() => h!.control.played.length > 1, 'audio from the new session');
    expect(h.control.voicemail).toBeUndefined();
  });

  it('does not count a quiet provider as stalled when nothing is due', async () => {
    h = await harness({ factory: { speakFirst: false, timings: { responseStallMs: STALL_MS } } });
    await h.startAgent();
    const first = await h.server.connection(1);
    await first.waitFor('session.update');
    await new Promise((r) => setTimeout(r, STALL_MS * 3));
    expect(h.server.connections).toHaveLength(1);
    expect(h.control.voicemail).toBeUndefined();
  });
});
