import { describe, expect, it } from 'vitest';
import { AudioError } from '../../src/audio/errors.js';
import { mulawDecode, mulawEncode } from '../../src/audio/mulaw.js';
import { Vad, type VadEvent, type VadOptions, type VadState } from '../../src/audio/vad.js';

const RATE = 8000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function scaleTo(x: Float64Array, dbfs: number): Float64Array {
  let sum = 0;
  for (const v of x) sum += v * v;
  const gain = (32768 * 10 ** (dbfs / 20)) / Math.sqrt(sum / x.length || 1);
  return x.map((v) => v * gain);
}

/** Voiced-speech stand-in: a gliding 120–160 Hz harmonic series, syllable-modulated at 4 Hz. */
function speechLike(ms: number, dbfs: number): Float64Array {
  const n = (RATE * ms) / 1000;
  const out = new Float64Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    phase += (2 * Math.PI * (140 + 20 * Math.sin(2 * Math.PI * 1.3 * t))) / RATE;
    let v = 0;
    for (let k = 1; k * 160 < 3400; k++) v += Math.sin(k * phase) / k;
    out[i] = v * (0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t));
  }
  return scaleTo(out, dbfs);
}

function whiteNoise(ms: number, dbfs: number, seed = 1): Float64Array {
  const random = rng(seed);
  return scaleTo(
    Float64Array.from({ length: (RATE * ms) / 1000 }, () => random() - 0.5),
    dbfs,
  );
}

function hum(ms: number, dbfs: number): Float64Array {
  return scaleTo(
    Float64Array.from({ length: (RATE * ms) / 1000 }, (_, i) => {
      const w = (2 * Math.PI * 50 * i) / RATE;
      return Math.sin(w) + 0.5 * Math.sin(3 * w);
    }),
    dbfs,
  );
}

function silence(ms: number): Float64Array {
  return new Float64Array((RATE * ms) / 1000);
}

function concat(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mix(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + (b[i] ?? 0));
}

function toPcm(x: Float64Array): Int16Array {
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
}

/** Feeds the signal as 20 ms μ-law frames, as Twilio delivers it; returns events and states. */
function run(
  signal: Float64Array,
  options: VadOptions = {},
): { events: VadEvent[]; states: VadState[]; vad: Vad } {
  const events: VadEvent[] = [];
  const states: VadState[] = [];
  const vad = new Vad({ ...options, onEvent: (e) => events.push(e) });
  const codes = mulawEncode(toPcm(signal));
  for (let at = 0; at < codes.length; at += 160) {
    vad.pushMulaw(codes.subarray(at, at + 160));
    if (states.at(-1) !== vad.state) states.push(vad.state);
  }
  return { events, states, vad };
}

describe('Vad', () => {
  it('stays quiet on μ-law silence', () => {
    const vad = new Vad({ onEvent: () => expect.fail('no event expected') });
    for (let i = 0; i < 150; i++) vad.pushMulaw(new Uint8Array(160).fill(0xff));
    expect(vad.state).toBe('quiet');
    expect(vad.positionMs).toBe(3000);
  });

  it('reports a turn: its onset once it lasted startMs, its end once silence lasted stopMs', () => {
    const floor = whiteNoise(3700, -50);
    const signal = mix(floor, concat(silence(1000), speechLike(1200, -20), silence(1500)));
    const { events } = run(signal);
    expect(events).toHaveLength(2);
    const [start, end] = events;
    expect(start).toMatchObject({ type: 'speech-start' });
    expect(start!.onsetMs).toBeGreaterThanOrEqual(980);
    expect(start!.onsetMs).toBeLessThanOrEqual(1040);
    expect(start!.atMs - start!.onsetMs).toBeGreaterThanOrEqual(200);
    expect(start!.atMs - start!.onsetMs).toBeLessThanOrEqual(260);
    expect(end).toMatchObject({ type: 'speech-end', onsetMs: start!.onsetMs });
    if (end?.type !== 'speech-end') throw new Error('unreachable');
    expect(end.endMs).toBeGreaterThanOrEqual(2140);
    expect(end.endMs).toBeLessThanOrEqual(2260);
    expect(end.atMs - end.endMs).toBeGreaterThanOrEqual(600);
    expect(end.atMs - end.endMs).toBeLessThanOrEqual(640);
  });

  it('walks quiet → starting → speaking → stopping → quiet', () => {
    const signal = mix(whiteNoise(3000, -50), concat(silence(800), speechLike(800, -20), silence(1400)));
    expect(run(signal).states).toEqual(['quiet', 'starting', 'speaking', 'stopping', 'quiet']);
  });

  it('ignores a sound shorter than startMs', () => {
    const signal = mix(whiteNoise(2000, -50), concat(silence(800), speechLike(120, -15), silence(1080)));
    const { events, states } = run(signal);
    expect(events).toEqual([]);
    expect(states).toEqual(['quiet', 'starting', 'quiet']);
  });

  it('honours a shorter startMs and stopMs', () => {
    const signal = mix(whiteNoise(2400, -50), concat(silence(800), speechLike(600, -20), silence(1000)));
    const { events } = run(signal, { startMs: 100, stopMs: 300 });
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    expect(events[0]!.atMs - events[0]!.onsetMs).toBeLessThanOrEqual(140);
    const end = events[1]!;
    if (end.type !== 'speech-end') throw new Error('unreachable');
    expect(end.atMs - end.endMs).toBeLessThanOrEqual(340);
  });

  it('keeps a pause shorter than stopMs inside one turn and splits at a longer one', () => {
    const floor = whiteNoise(4000, -50);
    const short = run(
      mix(floor, concat(silence(800), speechLike(600, -20), silence(300), speechLike(600, -20))),
    );
    expect(short.events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    const end = short.events[1]!;
    if (end.type !== 'speech-end') throw new Error('unreachable');
    expect(end.endMs).toBeGreaterThanOrEqual(2240);
    const long = run(
      mix(floor, concat(silence(800), speechLike(600, -20), silence(900), speechLike(600, -20))),
    );
    expect(long.events.map((e) => e.type)).toEqual([
      'speech-start',
      'speech-end',
      'speech-start',
      'speech-end',
    ]);
  });

  it('does not trigger on steady white noise or loud mains hum present from the start', () => {
    expect(run(whiteNoise(10_000, -25, 3)).events).toEqual([]);
    expect(run(hum(10_000, -10)).events).toEqual([]);
  });

  it('finds speech in white noise at 10 dB SNR and in loud hum', () => {
    const inNoise = run(mix(whiteNoise(4000, -30, 5), concat(silence(1500), speechLike(1500, -20))));
    expect(inNoise.events[0]).toMatchObject({ type: 'speech-start' });
    expect(Math.abs(inNoise.events[0]!.onsetMs - 1500)).toBeLessThanOrEqual(100);
    const inHum = run(mix(hum(4000, -10), concat(silence(1500), speechLike(1500, -25))));
    expect(inHum.events[0]).toMatchObject({ type: 'speech-start' });
    expect(Math.abs(inHum.events[0]!.onsetMs - 1500)).toBeLessThanOrEqual(100);
  });

  it('learns a line that got 20 dB noisier and goes quiet again within two seconds', () => {
    const signal = concat(whiteNoise(2000, -50, 7), whiteNoise(6000, -30, 8));
    const { events, vad } = run(signal);
    expect(vad.state).toBe('quiet');
    const end = events.find((e) => e.type === 'speech-end');
    if (end) expect(end.atMs).toBeLessThan(4000);
    expect(events.length).toBeLessThanOrEqual(2);
  });

  it('gives the same events for μ-law and for PCM pushed in any chunk size', () => {
    const signal = mix(whiteNoise(3000, -45), concat(silence(700), speechLike(900, -22), silence(1400)));
    const viaMulaw = run(signal).events;
    const pcm = mulawDecode(mulawEncode(toPcm(signal)));
    const events: VadEvent[] = [];
    const vad = new Vad({ onEvent: (e) => events.push(e) });
    for (let at = 0; at < pcm.length; at += 7) vad.pushPcm(pcm.subarray(at, at + 7));
    expect(viaMulaw).toHaveLength(2);
    expect(events).toEqual(viaMulaw);
  });

  it('closes open speech at its last speech window when the stream ends', () => {
    const { events, vad } = run(mix(whiteNoise(2000, -50), concat(silence(800), speechLike(1200, -20))));
    vad.end();
    expect(vad.state).toBe('quiet');
    const end = events.at(-1)!;
    expect(end.type).toBe('speech-end');
    if (end.type === 'speech-end') expect(end.endMs).toBeGreaterThan(1900);
  });

  it('works at 16 kHz', () => {
    const events: VadEvent[] = [];
    const vad = new Vad({ sampleRate: 16000, onEvent: (e) => events.push(e) });
    const at8k = mix(whiteNoise(2000, -50), concat(silence(800), speechLike(800, -20), silence(400)));
    const at16k = new Int16Array(at8k.length * 2);
    const pcm = toPcm(at8k);
    for (let i = 0; i < pcm.length; i++) at16k[2 * i] = at16k[2 * i + 1] = pcm[i]!;
    vad.pushPcm(at16k);
    expect(events[0]).toMatchObject({ type: 'speech-start' });
    expect(Math.abs(events[0]!.onsetMs - 800)).toBeLessThanOrEqual(40);
  });

  it('rejects options it cannot honour', () => {
    expect(() => new Vad({ sampleRate: 44100 })).toThrow(AudioError);
    expect(() => new Vad({ frameMs: 5 })).toThrow(/frameMs/);
    expect(() => new Vad({ thresholdDb: 0 })).toThrow(/thresholdDb/);
    expect(() => new Vad({ startMs: -1 })).toThrow(AudioError);
  });
});
