// Streaming PCM16 mono sample-rate conversion by rational polyphase windowed-sinc filtering.
// State carries across chunks, so any split of a signal yields exactly the samples of the whole.

import { AudioError } from './errors.js';

/** Stopband attenuation of the anti-aliasing/anti-imaging filter. */
const STOPBAND_DB = 80;
/** Transition band as a fraction of the lower of the two Nyquist frequencies (passband 0–90%). */
const TRANSITION = 0.1;
/** Phases beyond this make the table large for no audible gain; common telephony pairs need ≤ 441. */
const MAX_PHASES = 1024;
const MIN_RATE = 1000;
const MAX_RATE = 192_000;

interface FilterBank {
  /** Output samples per `down` input samples, after reducing the ratio by the gcd. */
  readonly up: number;
  readonly down: number;
  /** Input samples each side of an output instant that the filter reaches. */
  readonly halfWidth: number;
  /** `up` phases of `2 * halfWidth` taps, phase-major. */
  readonly coefficients: Float32Array;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind, for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50 && term > sum * 1e-12; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

function designFilterBank(fromRate: number, toRate: number): FilterBank {
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  // Everything below is in units of input samples; `scale` < 1 when decimating.
  const scale = Math.min(1, toRate / fromRate);
  const cutoff = scale * (1 - TRANSITION / 2);
  const transitionRadians = Math.PI * TRANSITION * scale;
  // Kaiser's estimates for the filter order and window shape at the wanted attenuation.
  const order = (STOPBAND_DB - 7.95) / (2.285 * transitionRadians);
  const halfWidth = Math.ceil(order / 2);
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const taps = 2 * halfWidth;
  const i0Beta = besselI0(beta);
  const coefficients = new Float32Array(up * taps);
  for (let phase = 0; phase < up; phase++) {
    let sum = 0;
    const row = new Float64Array(taps);
    for (let k = 0; k < taps; k++) {
      // Distance from the output instant (phase/up past input i) back to input i - halfWidth + 1 + k.
      const t = phase / up + halfWidth - 1 - k;
      const x = cutoff * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const r = t / halfWidth;
      const window = r * r >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      row[k] = cutoff * sinc * window;
      sum += row[k]!;
    }
    // Unit DC gain in every phase, or the gain would ripple at the phase rate and be audible.
    for (let k = 0; k < taps; k++) coefficients[phase * taps + k] = row[k]! / sum;
  }
  return { up, down, halfWidth, coefficients };
}

/** Immutable designs shared by all resamplers of the same rate pair (designing one takes ms). */
const designs = new Map<string, FilterBank>();

function filterBankFor(fromRate: number, toRate: number): FilterBank {
  const key = `${fromRate}:${toRate}`;
  let bank = designs.get(key);
  if (!bank) {
    bank = designFilterBank(fromRate, toRate);
    if (designs.size >= 32) designs.clear();
    designs.set(key, bank);
  }
  return bank;
}

function checkRates(fromRate: number, toRate: number): void {
  for (const [name, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) {
      throw new AudioError('BAD_ARGUMENT', `${name} must be an integer Hz from ${MIN_RATE} to ${MAX_RATE}`);
    }
  }
  if (toRate / gcd(fromRate, toRate) > MAX_PHASES) {
    throw new AudioError('BAD_ARGUMENT', `cannot resample ${fromRate} Hz to ${toRate} Hz: ratio too fine`);
  }
}

const EMPTY = new Int16Array(0);

/**
 * Converts a mono PCM16 stream from one rate to another, chunk by chunk. Output sample n sits at
 * time n / toRate, aligned with input sample 0; `flush()` releases the last samples held back for
 * the filter's look-ahead (`lookaheadSamples` input samples).
 */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  readonly #bank: FilterBank | null;
  /** Input history as floats; `#hist[0]` is absolute input index `#base`. */
  #hist: Float32Array = new Float32Array(0);
  #base = 0;
  #len = 0;
  /** Next output instant: input index `#i` plus `#phase / up`. */
  #i = 0;
  #phase = 0;

  constructor(fromRate: number, toRate: number) {
    checkRates(fromRate, toRate);
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.#bank = fromRate === toRate ? null : filterBankFor(fromRate, toRate);
    this.reset();
  }

  /** Input samples the resampler must see past an instant before it can emit that instant. */
  get lookaheadSamples(): number {
    return this.#bank?.halfWidth ?? 0;
  }

  /** Forgets all input; the next chunk starts a new signal at time 0. */
  reset(): void {
    const w = this.#bank?.halfWidth ?? 0;
    // The signal is taken as zero before its start, so the history begins with w - 1 zeros.
    this.#hist = new Float32Array(Math.max(64, 4 * w));
    this.#base = -(w > 0 ? w - 1 : 0);
    this.#len = w > 0 ? w - 1 : 0;
    this.#i = 0;
    this.#phase = 0;
  }

  /** Feeds a chunk and returns every output sample it completes (possibly none). */
  process(chunk: Int16Array): Int16Array {
    if (!this.#bank) return chunk.slice();
    if (chunk.length === 0) return EMPTY;
    this.#append(chunk, chunk.length);
    return this.#emit(this.#base + this.#len - 1 - this.#bank.halfWidth);
  }

  /**
   * Ends the signal: returns the remaining samples (the end is taken as zero-padded), for a
   * total of ceil(inputLength * toRate / fromRate), then resets for a new signal.
   */
  flush(): Int16Array {
    if (!this.#bank) return EMPTY;
    const lastInput = this.#base + this.#len - 1;
    this.#append(null, this.#bank.halfWidth);
    const out = this.#emit(lastInput);
    this.reset();
    return out;
  }

  /** Appends `count` samples from `chunk`, or zeros when `chunk` is null. */
  #append(chunk: Int16Array | null, count: number): void {
    const w = this.#bank!.halfWidth;
    // Drop history the next output no longer reaches.
    const keepFrom = this.#i - w + 1 - this.#base;
    if (keepFrom > 0) {
      this.#hist.copyWithin(0, keepFrom, this.#len);
      this.#len -= keepFrom;
      this.#base += keepFrom;
    }
    if (this.#len + count > this.#hist.length) {
      const grown = new Float32Array(Math.max(this.#hist.length * 2, this.#len + count));
      grown.set(this.#hist.subarray(0, this.#len));
      this.#hist = grown;
    }
    if (chunk) {
      for (let k = 0; k < count; k++) this.#hist[this.#len + k] = chunk[k]!;
    } else {
      this.#hist.fill(0, this.#len, this.#len + count);
    }
    this.#len += count;
  }

  /** Emits every output whose instant falls at or before input index `lastI`. */
  #emit(lastI: number): Int16Array {
    const { up, down, halfWidth, coefficients } = this.#bank!;
    // Outputs at input index i + phase/up for phase stepping by `down`, while floor(...) <= lastI.
    const room = (lastI + 1 - this.#i) * up - this.#phase;
    const count = room > 0 ? Math.ceil(room / down) : 0;
    if (count === 0) return EMPTY;
    const out = new Int16Array(count);
    const taps = 2 * halfWidth;
    const hist = this.#hist;
    let i = this.#i;
    let phase = this.#phase;
    for (let n = 0; n < count; n++) {
      const start = i - halfWidth + 1 - this.#base;
      const c0 = phase * taps;
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += hist[start + k]! * coefficients[c0 + k]!;
      const v = Math.round(acc);
      out[n] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      phase += down;
      while (phase >= up) {
        phase -= up;
        i++;
      }
    }
    this.#i = i;
    this.#phase = phase;
    return out;
  }
}

/** Resamples a whole mono PCM16 signal. */
export function resample(pcm: Int16Array, fromRate: number, toRate: number): Int16Array {
  const r = new Resampler(fromRate, toRate);
  const head = r.process(pcm);
  const tail = r.flush();
  if (tail.length === 0) return head;
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
