// A CallControl that models Twilio's playback the way CallSession does: audio is cut into ~50 ms
// chunks with a mark each (the real PlaybackTracker), and the caller has "heard" audio only when
// the test acknowledges marks. interrupt() clears and bumps the generation like `clear` does.
import pino from 'pino';
import type { CallControl, Handoff } from '../../../src/agents/agent.js';
import { PlaybackTracker } from '../../../src/call/playback.js';
import { until } from '../../support/until.js';

const CHUNK_BYTES = 400;
const BYTES_PER_MS = 8;

export class FakeCallControl implements CallControl {
  readonly log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  readonly tracker = new PlaybackTracker();
  /** Every chunk played, decoded, in order. */
  readonly played: Buffer[] = [];
  /** What happened, in order: play, interrupt, hangUp:…, transfer:…, voicemail:… */
  readonly events: string[] = [];
  interrupts = 0;
  /** How often the agent waited for what it had played to be heard (before ending the call, say). */
  playedWaits = 0;
  hangUps: string[] = [];
  /** The outcome each hang-up named (undefined: the default `hangup: <reason>`). */
  outcomes: (string | undefined)[] = [];
  transfers: Handoff[] = [];
  voicemail: string | undefined;
  private marks: { name: string; endMs: number }[] = [];
  private sentMs = 0;

  play(audio: Buffer | { base64: string }): void {
    const bytes = Buffer.isBuffer(audio) ? audio : Buffer.from(audio.base64, 'base64');
    this.events.push('play');
    for (let off = 0; off < bytes.length; off += CHUNK_BYTES) {
      const chunk = bytes.subarray(off, off + CHUNK_BYTES);
      this.played.push(chunk);
      this.sentMs += chunk.length / BYTES_PER_MS;
      this.marks.push({ name: this.tracker.sentAudio(chunk.length / BYTES_PER_MS), endMs: this.sentMs });
    }
  }

  /** Twilio played `ms` more of the queued audio: echo the marks it covered. */
  hear(ms: number): void {
    const target = this.tracker.heardMs() + ms;
    while (this.marks[0] && this.marks[0].endMs <= target + 1e-9) {
      const mark = this.marks.shift();
      if (mark) this.tracker.ack(mark.name);
    }
  }

  hearAll(): void {
    this.hear(Number.POSITIVE_INFINITY);
  }

  interrupt(): { heardMs: number } {
    this.interrupts += 1;
    this.events.push('interrupt');
    this.marks = [];
    this.sentMs = 0;
    return { heardMs: this.tracker.interrupt() };
  }

  heardMs(): number {
    return this.tracker.heardMs();
  }

  pendingMs(): number {
    return this.tracker.pendingMs();
  }

  whenPlayed(): Promise<void> {
    this.playedWaits += 1;
    return this.tracker.whenPlayed();
  }

  async hangUp(reason: string, outcome?: string): Promise<void> {
    this.hangUps.push(reason);
    this.outcomes.push(outcome);
    this.events.push(`hangUp:${reason}`);
  }

  async transfer(target: Handoff): Promise<void> {
    this.transfers.push(target);
    this.events.push(`transfer:${target.kind === 'ring' ? target.route.department : 'voicemail'}`);
  }

  toVoicemail(reason: string): void {
    this.voicemail = reason;
    this.events.push(`voicemail:${reason}`);
  }

  /** Bytes played so far, concatenated. */
  playedBytes(): Buffer {
    return Buffer.concat(this.played);
  }

  /** Resolves when `test` holds; fails naming `what` after timeoutMs. */
  async until(test: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
    await until(test, what, { timeoutMs });
  }
}
