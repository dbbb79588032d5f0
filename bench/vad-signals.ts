// Synthetic line conditions for the VAD bench: seeded white and pink noise, mains hum, mixing at a
// target SNR, and ground-truth speech labels per 20 ms frame from the clean signal.

/** Seeded uniform PRNG (mulberry32) so every run of the bench hears the same noise. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
}

export type NoiseKind = 'white' | 'pink' | 'hum' | 'pink+hum' | 'pink-wander';
export const NOISE_KINDS: readonly NoiseKind[] = ['white', 'pink', 'hum', 'pink+hum', 'pink-wander'];

/** Unit-power noise of the given kind. */
export function noise(kind: NoiseKind, n: number, rate: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  const g = gaussian(prng(seed));
  if (kind === 'white') {
    for (let i = 0; i < n; i++) out[i] = g();
  } else if (kind === 'pink') {
    // Voss–McCartney: row k is redrawn every 2^k samples; their sum falls off at ~3 dB per octave.
    const rows = new Float64Array(12);
    let sum = 0;
    for (let k = 0; k < rows.length; k++) sum += rows[k] = g();
    for (let i = 0; i < n; i++) {
      const k = Math.min(rows.length - 1, 31 - Math.clz32((i + 1) & -(i + 1)));
      sum -= rows[k]!;
      sum += rows[k] = g();
      out[i] = sum + g();
    }
  } else if (kind === 'hum') {
    // 50 Hz mains with the odd harmonics a transformer adds, and a little drift in phase.
    const phase = prng(seed)() * 2 * Math.PI;
    for (let i = 0; i < n; i++) {
      const w = (2 * Math.PI * 50 * i) / rate + phase;
      out[i] = Math.sin(w) + 0.5 * Math.sin(3 * w) + 0.25 * Math.sin(5 * w);
    }
  } else if (kind === 'pink-wander') {
    // Pink noise whose level drifts ±6 dB over a few seconds, like a line near traffic or wind.
    const p = noise('pink', n, rate, seed);
    for (let i = 0; i < n; i++) {
      const t = i / rate;
      const db = 4 * Math.sin(2 * Math.PI * 0.13 * t) + 2 * Math.sin(2 * Math.PI * 0.31 * t + 1);
      out[i] = p[i]! * 10 ** (db / 20);
    }
  } else {
    const p = noise('pink', n, rate, seed);
    const h = noise('hum', n, rate, seed + 1);
    for (let i = 0; i < n; i++) out[i] = p[i]! + h[i]!;
  }
  return normalise(out);
}

function normalise(x: Float64Array): Float64Array {
  let sum = 0;
  for (const v of x) sum += v * v;
  const scale = 1 / Math.sqrt(sum / x.length || 1);
  for (let i = 0; i < x.length; i++) x[i]! *= scale;
  return x;
}

/** Mean power of `speech` over its labelled speech frames. */
export function activeSpeechPower(speech: Float64Array, labels: Uint8Array, frame: number): number {
  let sum = 0;
  let count = 0;
  for (let f = 0; f < labels.length; f++) {
    if (!labels[f]) continue;
    for (let i = f * frame; i < (f + 1) * frame && i < speech.length; i++) sum += speech[i]! * speech[i]!;
    count += frame;
  }
  return count > 0 ? sum / count : 0;
}

/** speech + noise scaled so that active speech power / noise power = snrDb, as PCM16. */
export function mixAtSnr(
  speech: Float64Array,
  unitNoise: Float64Array,
  speechPower: number,
  snrDb: number,
): Int16Array {
  const noiseGain = Math.sqrt(speechPower / 10 ** (snrDb / 10));
  const out = new Int16Array(speech.length);
  for (let i = 0; i < speech.length; i++) {
    const v = Math.round(speech[i]! + noiseGain * unitNoise[i]!);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/**
 * Ground truth per frame: speech where the clean signal is within 40 dB of its loudest frame,
 * with pauses shorter than `bridgeMs` filled, since a turn's inner pauses belong to the turn.
 */
export function labelFrames(
  clean: Float64Array,
  frame: number,
  frameMs: number,
  bridgeMs: number,
): Uint8Array {
  const frames = Math.floor(clean.length / frame);
  const power = new Float64Array(frames);
  let max = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) sum += clean[i]! * clean[i]!;
    power[f] = sum / frame;
    max = Math.max(max, power[f]!);
  }
  const labels = new Uint8Array(frames);
  for (let f = 0; f < frames; f++) labels[f] = power[f]! > max * 1e-4 ? 1 : 0;
  const bridge = Math.floor(bridgeMs / frameMs);
  let lastSpeech = -1;
  for (let f = 0; f < frames; f++) {
    if (!labels[f]) continue;
    if (lastSpeech >= 0 && f - lastSpeech - 1 <= bridge) labels.fill(1, lastSpeech + 1, f);
    lastSpeech = f;
  }
  return labels;
}

/** Runs of 1s in `labels` as [startFrame, endFrame) pairs. */
export function segments(labels: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let f = 0; f < labels.length;) {
    if (!labels[f]) {
      f++;
      continue;
    }
    const start = f;
    while (f < labels.length && labels[f]) f++;
    out.push([start, f]);
  }
  return out;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
