// Voice-activity detection for telephone audio: a quiet → starting → speaking → stopping state
// machine over 20 ms windows, driven by the energy of two voice bands against adaptive noise floors.

import { AudioError, assertIntInRange } from './errors.js';
import { mulawDecodeSample } from './mulaw.js';

export type VadState = 'quiet' | 'starting' | 'speaking' | 'stopping';

export type VadEvent =
  /** Speech persisted `startMs`; `onsetMs` is where it began, `atMs` when it was confirmed. */
  | { readonly type: 'speech-start'; readonly onsetMs: number; readonly atMs: number }
  /** Silence persisted `stopMs`; `endMs` is where the speech stopped, `atMs` when that was confirmed. */
  | { readonly type: 'speech-end'; readonly onsetMs: number; readonly endMs: number; readonly atMs: number };

export interface VadOptions {
  /** 8000 (telephone, default) or 16000. */
  readonly sampleRate?: number;
  /** Analysis window; default 20 ms (one Twilio media frame). */
  readonly frameMs?: number;
  /** Speech must last this long to become `speaking` (default 200 ms). */
  readonly startMs?: number;
  /** Silence must last this long to end speech (default 600 ms). */
  readonly stopMs?: number;
  /** A silent run longer than this while `starting` abandons the start (default 80 ms). */
  readonly startGapMs?: number;
  /** How far above its band's noise floor a window must rise to start speech (default 6 dB); held
   *  speech needs half that. */
  readonly thresholdDb?: number;
  /** Windows quieter than this are never speech, however quiet the line (default -55 dBFS). */
  readonly minLevelDbfs?: number;
  readonly onEvent?: (event: VadEvent) => void;
}

/** Band edges: mains hum and its first harmonics fall below the low band; 1 kHz splits F1 from F2. */
const HIGHPASS_HZ = 200;
const SPLIT_HZ = 1000;
/** Frames at the start that only calibrate the noise floors. */
const WARMUP_FRAMES = 5;
/** Fluctuation (mean absolute deviation of a band's level) below which the band is "steady". */
const STEADY_DEV_DB = 1.5;
/** A steady level lasting this long is noise, not a held vowel, and the floor may jump to it. */
const STEADY_NOISE_MS = 500;
/**
 * Span of the minimum statistics: long enough to include a pause between words, short enough to
 * follow noise that rises while speech is held (longer spans measured worse on drifting noise).
 */
const MIN_HISTORY_MS = 600;
const FULL_SCALE_POWER = 32768 * 32768;

/** One biquad section (RBJ cookbook form, normalised so a0 = 1) and its memory. */
class Biquad {
  #x1 = 0;
  #x2 = 0;
  #y1 = 0;
  #y2 = 0;
  constructor(
    readonly b0: number,
    readonly b1: number,
    readonly b2: number,
    readonly a1: number,
    readonly a2: number,
  ) {}

  static butterworth(kind: 'low' | 'high', hz: number, q: number, sampleRate: number): Biquad {
    const w = (2 * Math.PI * hz) / sampleRate;
    const alpha = Math.sin(w) / (2 * q);
    const cos = Math.cos(w);
    const a0 = 1 + alpha;
    const k = kind === 'high' ? (1 + cos) / 2 : (1 - cos) / 2;
    const mid = kind === 'high' ? -(1 + cos) : 1 - cos;
    return new Biquad(k / a0, mid / a0, k / a0, (-2 * cos) / a0, (1 - alpha) / a0);
  }

  step(x: number): number {
    const y = this.b0 * x + this.b1 * this.#x1 + this.b2 * this.#x2 - this.a1 * this.#y1 - this.a2 * this.#y2;
    this.#x2 = this.#x1;
    this.#x1 = x;
    this.#y2 = this.#y1;
    this.#y1 = y;
    return y;
  }
}

/** Q of the two sections of a 4th-order Butterworth filter. */
const Q4 = [0.5412, 1.3066] as const;

/**
 * Level statistics and adaptive noise floor of one frequency band. The floor estimates the mean
 * noise level (not its dips), so thresholds above it are crossed by noise only rarely.
 */
class BandTracker {
  floor = -120;
  #mean = -120;
  #dev = 0;
  #steadyMs = 0;
  /** Recent window levels (a ring), for minimum statistics while speech is held. */
  readonly #history: Float32Array;
  #at = 0;
  /** How far noise's mean sits above its recent minimum, learnt while the line is quiet. */
  #minToMean = 2;

  constructor(historyFrames: number) {
    this.#history = new Float32Array(historyFrames);
  }

  /** Feeds one window's level; returns how far it stands above the floor (before adapting). */
  update(level: number, frame: number, frameMs: number, state: VadState, onsetDb: number): number {
    const history = this.#history;
    if (frame === 1) history.fill(level);
    history[this.#at] = level;
    this.#at = (this.#at + 1) % history.length;
    if (frame <= WARMUP_FRAMES) {
      // Calibrate on the mean of the first windows.
      this.floor = frame === 1 ? level : this.floor + (level - this.floor) / frame;
      this.#mean = this.floor;
      return 0;
    }
    let recentMin = level;
    for (let k = 0; k < history.length; k++) if (history[k]! < recentMin) recentMin = history[k]!;

    const above = level - this.floor;
    this.#mean += 0.1 * (level - this.#mean);
    this.#dev += 0.1 * (Math.abs(level - this.#mean) - this.#dev);
    this.#steadyMs = this.#dev < STEADY_DEV_DB ? this.#steadyMs + frameMs : 0;
    if (above < -6) {
      // Well below the floor: the line got quieter. Follow quickly.
      this.floor += 0.2 * above;
    } else if (state === 'quiet' && above < onsetDb) {
      // Noise: average it, up and down alike, and learn how its minimum relates to its mean.
      this.floor += 0.05 * above;
      this.#minToMean += 0.02 * (this.floor - recentMin - this.#minToMean);
    } else if (this.#steadyMs >= STEADY_NOISE_MS) {
      // A loud level that has held steady for half a second is line noise, not speech.
      this.floor += 0.1 * above;
    } else if (above > 0) {
      // Loud and changing: probably speech. Creep, so a line that got louder is still learnt.
      this.floor += Math.min(above, state === 'quiet' ? 0.05 : 0.01);
    }
    if (state !== 'quiet') {
      // Pauses between words show the noise even mid-speech: if noise rose while speech was
      // held, the recent minimum says so, and the floor must not stay below it.
      const fromMinimum = recentMin + this.#minToMean;
      if (fromMinimum > this.floor) this.floor += 0.2 * (fromMinimum - this.floor);
    }
    return above;
  }
}

export class Vad {
  readonly sampleRate: number;
  readonly frameMs: number;
  readonly #frameSamples: number;
  readonly #startMs: number;
  readonly #stopMs: number;
  readonly #startGapMs: number;
  readonly #onsetDb: number;
  readonly #holdDb: number;
  readonly #minLevelDb: number;
  readonly #onEvent: ((event: VadEvent) => void) | undefined;
  /** 200 Hz high-pass, then a low band (to 1 kHz: voicing, F1) and a high band (F2, fricatives). */
  readonly #highpass: [Biquad, Biquad];
  readonly #lowBand: [Biquad, Biquad];
  readonly #highBand: [Biquad, Biquad];
  readonly #low: BandTracker;
  readonly #high: BandTracker;

  #fill = 0;
  #lowEnergy = 0;
  #highEnergy = 0;
  #samples = 0;
  #frames = 0;
  #levelDb = -120;

  #state: VadState = 'quiet';
  #onsetSample = 0;
  #lastSpeechSample = 0;
  #speechMs = 0;
  #gapMs = 0;

  constructor(options: VadOptions = {}) {
    const rate = options.sampleRate ?? 8000;
    if (rate !== 8000 && rate !== 16000) {
      throw new AudioError('BAD_ARGUMENT', `VAD sample rate must be 8000 or 16000, got ${String(rate)}`);
    }
    this.sampleRate = rate;
    this.frameMs = assertIntInRange('frameMs', options.frameMs ?? 20, 10, 40);
    this.#frameSamples = Math.round((rate * this.frameMs) / 1000);
    this.#startMs = assertIntInRange('startMs', options.startMs ?? 200, 0, 5000);
    this.#stopMs = assertIntInRange('stopMs', options.stopMs ?? 600, 0, 10_000);
    this.#startGapMs = assertIntInRange('startGapMs', options.startGapMs ?? 80, 0, 1000);
    const threshold = options.thresholdDb ?? 6;
    if (typeof threshold !== 'number' || !(threshold >= 2 && threshold <= 40)) {
      throw new AudioError('BAD_ARGUMENT', `thresholdDb must be from 2 to 40, got ${String(threshold)}`);
    }
    this.#onsetDb = threshold;
    // Hysteresis: speech that has begun may dip closer to the floor without ending.
    this.#holdDb = threshold / 2;
    const minLevel = options.minLevelDbfs ?? -55;
    if (typeof minLevel !== 'number' || !(minLevel >= -100 && minLevel <= 0)) {
      throw new AudioError('BAD_ARGUMENT', `minLevelDbfs must be from -100 to 0, got ${String(minLevel)}`);
    }
    this.#minLevelDb = minLevel;
    this.#onEvent = options.onEvent;
    const historyFrames = Math.ceil(MIN_HISTORY_MS / this.frameMs);
    this.#low = new BandTracker(historyFrames);
    this.#high = new BandTracker(historyFrames);
    const section = (kind: 'low' | 'high', hz: number, q: number): Biquad =>
      Biquad.butterworth(kind, hz, q, rate);
    this.#highpass = [section('high', HIGHPASS_HZ, Q4[0]), section('high', HIGHPASS_HZ, Q4[1])];
    this.#lowBand = [section('low', SPLIT_HZ, Q4[0]), section('low', SPLIT_HZ, Q4[1])];
    this.#highBand = [section('high', SPLIT_HZ, Q4[0]), section('high', SPLIT_HZ, Q4[1])];
  }

  get state(): VadState {
    return this.#state;
  }
  /** Whether the detector currently holds speech (speaking, or in the hangover before its end). */
  get inSpeech(): boolean {
    return this.#state === 'speaking' || this.#state === 'stopping';
  }
  /** Level of the last analysed window above 200 Hz, dBFS. */
  get levelDb(): number {
    return this.#levelDb;
  }
  /** The adaptive noise floors of the two bands, dBFS. */
  get noiseFloorDb(): { readonly low: number; readonly high: number } {
    return { low: this.#low.floor, high: this.#high.floor };
  }
  /** Audio consumed so far, in ms from the start of the stream. */
  get positionMs(): number {
    return this.#toMs(this.#samples);
  }

  /** Feeds PCM16 samples (any length; 20 ms frames are typical). */
  pushPcm(pcm: Int16Array): void {
    for (let i = 0; i < pcm.length; i++) this.#sample(pcm[i]!);
  }

  /** Feeds μ-law bytes, e.g. a Twilio media payload. */
  pushMulaw(codes: Uint8Array): void {
    for (let i = 0; i < codes.length; i++) this.#sample(mulawDecodeSample(codes[i]!));
  }

  /** Ends the stream: open speech ends at its last speech window. */
  end(): void {
    if (this.inSpeech) this.#emitEnd();
    this.#state = 'quiet';
  }

  #toMs(samples: number): number {
    return (samples * 1000) / this.sampleRate;
  }

  #sample(x: number): void {
    const v = this.#highpass[1].step(this.#highpass[0].step(x));
    const lo = this.#lowBand[1].step(this.#lowBand[0].step(v));
    const hi = this.#highBand[1].step(this.#highBand[0].step(v));
    this.#lowEnergy += lo * lo;
    this.#highEnergy += hi * hi;
    this.#samples++;
    if (++this.#fill === this.#frameSamples) this.#window();
  }

  #window(): void {
    const n = this.#frameSamples * FULL_SCALE_POWER;
    const lowDb = 10 * Math.log10(this.#lowEnergy / n + 1e-12);
    const highDb = 10 * Math.log10(this.#highEnergy / n + 1e-12);
    this.#levelDb = 10 * Math.log10((this.#lowEnergy + this.#highEnergy) / n + 1e-12);
    this.#fill = 0;
    this.#lowEnergy = 0;
    this.#highEnergy = 0;
    const frame = ++this.#frames;
    const state = this.#state;
    const above = Math.max(
      this.#low.update(lowDb, frame, this.frameMs, state, this.#onsetDb),
      this.#high.update(highDb, frame, this.frameMs, state, this.#onsetDb),
    );
    const holding = state !== 'quiet';
    if (frame <= WARMUP_FRAMES) return;
    const speech = this.#levelDb > this.#minLevelDb && above >= (holding ? this.#holdDb : this.#onsetDb);
    this.#step(speech);
  }

  #step(speech: boolean): void {
    switch (this.#state) {
      case 'quiet':
        if (speech) {
          this.#state = 'starting';
          this.#onsetSample = this.#samples - this.#frameSamples;
          this.#lastSpeechSample = this.#samples;
          this.#speechMs = this.frameMs;
          this.#gapMs = 0;
          this.#confirmIfLongEnough();
        }
        return;
      case 'starting':
        if (speech) {
          this.#speechMs += this.frameMs;
          this.#gapMs = 0;
          this.#lastSpeechSample = this.#samples;
          this.#confirmIfLongEnough();
        } else if ((this.#gapMs += this.frameMs) > this.#startGapMs) {
          this.#state = 'quiet';
        }
        return;
      case 'speaking':
        if (speech) {
          this.#lastSpeechSample = this.#samples;
        } else {
          this.#state = 'stopping';
          this.#gapMs = this.frameMs;
          this.#endIfLongEnough();
        }
        return;
      case 'stopping':
        if (speech) {
          this.#state = 'speaking';
          this.#lastSpeechSample = this.#samples;
        } else {
          this.#gapMs += this.frameMs;
          this.#endIfLongEnough();
        }
        return;
    }
  }

  #confirmIfLongEnough(): void {
    if (this.#speechMs < this.#startMs) return;
    this.#state = 'speaking';
    this.#onEvent?.({
      type: 'speech-start',
      onsetMs: this.#toMs(this.#onsetSample),
      atMs: this.#toMs(this.#samples),
    });
  }

  #endIfLongEnough(): void {
    if (this.#gapMs < this.#stopMs) return;
    this.#emitEnd();
    this.#state = 'quiet';
  }

  #emitEnd(): void {
    this.#onEvent?.({
      type: 'speech-end',
      onsetMs: this.#toMs(this.#onsetSample),
      endMs: this.#toMs(this.#lastSpeechSample),
      atMs: this.#toMs(this.#samples),
    });
  }
}
