import { describe, expect, it } from 'vitest';
import { PlaybackTracker } from '../../src/call/playback.js';

describe('PlaybackTracker', () => {
  it('counts what the caller heard only from acknowledged marks', () => {
    const p = new PlaybackTracker();
    const m1 = p.sentAudio(50);
    const m2 = p.sentAudio(50);
    expect(p.heardMs()).toBe(0);
    expect(p.pendingMs()).toBe(100);
    expect(p.ack(m1)).toBe(true);
    expect(p.heardMs()).toBe(50);
    expect(p.ack(m2)).toBe(true);
    expect(p.heardMs()).toBe(100);
    expect(p.pendingMs()).toBe(0);
  });

  it('treats marks from before an interrupt as stale', () => {
    const p = new PlaybackTracker();
    const m1 = p.sentAudio(50);
    const m2 = p.sentAudio(50);
    p.ack(m1);
    expect(p.interrupt()).toBe(50);
    // Twilio returns the pending marks after a clear: they must not move the new clock.
    expect(p.ack(m2)).toBe(false);
    expect(p.heardMs()).toBe(0);
    const m3 = p.sentAudio(20);
    expect(p.ack(m3)).toBe(true);
    expect(p.heardMs()).toBe(20);
  });

  it('ignores foreign mark names', () => {
    const p = new PlaybackTracker();
    p.sentAudio(50);
    expect(p.ack('greeting-done')).toBe(false);
    expect(p.ack('g0:999999:1')).toBe(true);
    expect(p.heardMs()).toBe(50); // never beyond what was sent
  });

  it('counts audio as pending at once and hears it only up to the marks acknowledged', () => {
    const p = new PlaybackTracker();
    p.addAudio(20);
    p.addAudio(20);
    p.addAudio(60);
    const m1 = p.mark();
    p.addAudio(20);
    expect(p.pendingMs()).toBe(120);
    expect(p.ack(m1)).toBe(true);
    // Exact at the mark: the 20 ms sent after it are not heard yet.
    expect(p.heardMs()).toBe(100);
    expect(p.pendingMs()).toBe(20);
    expect(p.ack(p.mark())).toBe(true);
    expect(p.heardMs()).toBe(120);
  });

  it('resolves whenPlayed once everything sent is heard, or on interrupt', async () => {
    const p = new PlaybackTracker();
    await p.whenPlayed(); // nothing pending
    const m = p.sentAudio(40);
    let done = false;
    const waiting = p.whenPlayed().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    p.ack(m);
    await waiting;
    expect(done).toBe(true);
    p.sentAudio(40);
    const cleared = p.whenPlayed();
    p.interrupt();
    await cleared;
  });
});
