// The agent's voice through the speakers: μ-law chunks as they arrive → PCM → 8 kHz AudioBuffers
// scheduled back to back on the AudioContext's clock a little ahead (the jitter buffer); the
// greeting file plays on the same clock; clear() (the agent barged in) stops what is scheduled.
import { mulawDecode } from '../../../src/audio/mulaw.js';
import { TEST_CALL_SAMPLE_RATE } from '../../../src/test-call/protocol.js';

/** Audio starts this far ahead of now when the player has run dry: room for network jitter. */
const LEAD_S = 0.08;
/** Scheduled further ahead than this, a chunk is dropped: latency stays bounded after a burst. */
const MAX_AHEAD_S = 1;

export interface PlaybackStats {
  /** μ-law bytes of agent audio received. */
  bytes: number;
  /** Largest sample magnitude received, 0…1. */
  peak: number;
  /** Root mean square over everything received, 0…1. */
  rms: number;
  /** Agent audio the AudioContext has finished playing. */
  playedMs: number;
  /** Chunks dropped for arriving too far ahead. */
  dropped: number;
}

export class AgentPlayback {
  readonly stats: PlaybackStats = { bytes: 0, peak: 0, rms: 0, playedMs: 0, dropped: 0 };
  private nextAt = 0;
  private sumSquares = 0;
  private samples = 0;
  private readonly sources = new Set<AudioBufferSourceNode>();

  constructor(
    private readonly ctx: AudioContext,
    private readonly onStats: () => void,
  ) {}

  push(mulaw: Uint8Array): void {
    const pcm = mulawDecode(mulaw);
    const buffer = this.ctx.createBuffer(1, pcm.length, TEST_CALL_SAMPLE_RATE);
    const data = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) {
      const v = pcm[i]! / 32768;
      data[i] = v;
      const magnitude = Math.abs(v);
      if (magnitude > this.stats.peak) this.stats.peak = magnitude;
      this.sumSquares += v * v;
    }
    this.samples += pcm.length;
    this.stats.bytes += mulaw.length;
    this.stats.rms = Math.sqrt(this.sumSquares / this.samples);
    const now = this.ctx.currentTime;
    if (this.nextAt < now + 0.01) this.nextAt = now + LEAD_S;
    else if (this.nextAt > now + MAX_AHEAD_S) {
      this.stats.dropped += 1;
      return this.onStats();
    }
    this.schedule(buffer, true);
    this.onStats();
  }

  /** Plays an audio file of this server (the greeting Twilio plays before the stream). */
  async playFile(path: string): Promise<void> {
    const response = await fetch(path, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    const buffer = await this.ctx.decodeAudioData(await response.arrayBuffer());
    this.nextAt = Math.max(this.nextAt, this.ctx.currentTime + 0.02);
    this.schedule(buffer, false);
  }

  /** Drops everything scheduled and not yet heard. */
  clear(): void {
    for (const source of this.sources) source.stop();
    this.sources.clear();
    this.nextAt = 0;
  }

  private schedule(buffer: AudioBuffer, agent: boolean): void {
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.ctx.destination);
    source.onended = () => {
      this.sources.delete(source);
      if (agent && this.ctx.currentTime >= startAt + buffer.duration - 0.005) {
        this.stats.playedMs += buffer.duration * 1000;
        this.onStats();
      }
    };
    const startAt = this.nextAt;
    source.start(startAt);
    this.sources.add(source);
    this.nextAt += buffer.duration;
  }
}
