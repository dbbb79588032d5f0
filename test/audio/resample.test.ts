import { describe, expect, it } from 'vitest';
import { AudioError } from '../../src/audio/errors.js';
import { Resampler, resample } from '../../src/audio/resample.js';

const RATES = [8000, 16000, 22050, 24000];
const PAIRS = RATES.flatMap((from) => RATES.filter((to) => to !== from).map((to) => [from, to] as const));

function sine(freq: number, rate: number, seconds: number, amplitude = 10000): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** A linear chirp from 100 Hz to 0.45 × rate: every frequency the filter must handle. */
function sweep(rate: number, seconds: number): Int16Array {
  const n = Math.round(rate * seconds);
  const f1 = 0.45 * rate;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    out[i] = Math.round(12000 * Math.sin(2 * Math.PI * (100 * t + ((f1 - 100) * t * t) / (2 * seconds))));
  }
  return out;
}

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function rmsDb(x: ArrayLike<number>, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return 10 * Math.log10(sum / (to - from) + 1e-12);
}

describe('Resampler', () => {
  it.each(PAIRS)(
    'gives exactly the whole-signal output for a sweep split at random points (%i → %i Hz)',
    (from, to) => {
      const signal = sweep(from, 0.4);
      const whole = resample(signal, from, to);
      const random = rng(from * 7 + to);
      const r = new Resampler(from, to);
      const parts: Int16Array[] = [];
      for (let at = 0; at < signal.length;) {
        const size = Math.floor(random() * 400);
        parts.push(r.process(signal.subarray(at, at + size)));
        at += size;
      }
      parts.push(r.flush());
      expect(concat(parts)).toEqual(whole);
    },
  );

  it.each(PAIRS)('keeps a 1 kHz sine clean: SNR above 80 dB (%i → %i Hz)', (from, to) => {
    const out = resample(sine(1000, from, 0.25), from, to);
    const edge = Math.round(to * 0.02);
    let signal = 0;
    let noise = 0;
    for (let i = edge; i < out.length - edge; i++) {
      const ideal = 10000 * Math.sin((2 * Math.PI * 1000 * i) / to);
      signal += ideal * ideal;
      noise += (out[i]! - ideal) ** 2;
    }
    expect(10 * Math.log10(signal / noise)).toBeGreaterThan(80);
  });

  it.each([
    [16000, 8000, 5000],
    [24000, 8000, 7000],
    [22050, 8000, 4500],
    [24000, 16000, 8800],
  ])(
    'removes a %i Hz-rate tone above the new Nyquist before decimating to %i Hz (%i Hz tone)',
    (from, to, f) => {
      const input = sine(f, from, 0.25);
      const out = resample(input, from, to);
      const edge = Math.round(to * 0.02);
      expect(rmsDb(out, edge, out.length - edge) - rmsDb(input)).toBeLessThan(-70);
    },
  );

  it('passes the voice band at unit gain', () => {
    const input = sine(3000, 24000, 0.25);
    const out = resample(input, 24000, 8000);
    expect(Math.abs(rmsDb(out, 200, out.length - 200) - rmsDb(input))).toBeLessThan(0.1);
  });

  it('emits ceil(n × to / from) samples in total', () => {
    for (const [from, to] of PAIRS) {
      for (const n of [1, 159, 160, 441, 1000]) {
        expect(resample(new Int16Array(n), from, to).length).toBe(Math.ceil((n * to) / from));
      }
    }
  });

  it('returns an empty result for an empty chunk and for a flush with no input', () => {
    const r = new Resampler(8000, 24000);
    expect(r.process(new Int16Array(0)).length).toBe(0);
    expect(r.flush().length).toBe(0);
  });

  it('holds back only the filter look-ahead while streaming', () => {
    const r = new Resampler(8000, 16000);
    const out = r.process(new Int16Array(1000));
    expect(out.length).toBe((1000 - r.lookaheadSamples) * 2);
  });

  it('starts a new signal after flush, as a fresh resampler would', () => {
    const r = new Resampler(22050, 8000);
    const a = sweep(22050, 0.1);
    const first = concat([r.process(a), r.flush()]);
    const second = concat([r.process(a), r.flush()]);
    expect(second).toEqual(first);
  });

  it('copies the input through when the rates are equal', () => {
    const input = Int16Array.of(1, 2, 3);
    const out = new Resampler(8000, 8000).process(input);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
  });

  it('rejects rates it cannot handle with an AudioError', () => {
    expect(() => new Resampler(0, 8000)).toThrow(AudioError);
    expect(() => new Resampler(8000, 8000.5)).toThrow(/toRate/);
    expect(() => new Resampler(8000, 1_000_000)).toThrow(AudioError);
    expect(() => new Resampler(7919, 8000)).toThrow(/ratio/);
  });
});
