import { describe, expect, it } from 'vitest';
import { AudioError } from '../../src/audio/errors.js';
import { encodeMp3 } from '../../src/audio/mp3.js';

/** Layer III bit rates by MPEG version (index 1–14), kbit/s. */
const KBPS = {
  mpeg1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  mpeg2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const RATES = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] } as const;

interface FrameInfo {
  frames: number;
  sampleRate: number;
  kbps: number;
  samplesPerFrame: number;
}

/** Walks the file frame by frame from its first byte, as a strict decoder would. */
function walkFrames(mp3: Uint8Array): FrameInfo {
  let at = 0;
  let frames = 0;
  let info: Omit<FrameInfo, 'frames'> | undefined;
  while (at < mp3.length) {
    const h = ((mp3[at]! << 24) | (mp3[at + 1]! << 16) | (mp3[at + 2]! << 8) | mp3[at + 3]!) >>> 0;
    expect(h >>> 21, `frame sync at byte ${at}`).toBe(0x7ff);
    const version = (h >>> 19) & 3;
    expect(version, 'MPEG version').not.toBe(1);
    expect((h >>> 17) & 3, 'layer III').toBe(1);
    const mpeg1 = version === 3;
    const kbps = (mpeg1 ? KBPS.mpeg1 : KBPS.mpeg2)[(h >>> 12) & 15]!;
    const sampleRate = RATES[version as 0 | 2 | 3][(h >>> 10) & 3]!;
    const padding = (h >>> 9) & 1;
    const samplesPerFrame = mpeg1 ? 1152 : 576;
    const length = Math.floor(((samplesPerFrame / 8) * kbps * 1000) / sampleRate) + padding;
    info ??= { sampleRate, kbps, samplesPerFrame };
    expect({ sampleRate, kbps }).toEqual({ sampleRate: info.sampleRate, kbps: info.kbps });
    at += length;
    frames++;
  }
  expect(at, 'the last frame ends exactly at the end of the file').toBe(mp3.length);
  return { frames, ...info! };
}

function tone(rate: number, seconds: number): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  return out;
}

describe('encodeMp3', () => {
  it.each([
    [22050, 48],
    [8000, 32],
    [16000, 24],
    [44100, 64],
  ])('produces a chain of valid Layer III frames at %i Hz, %i kbit/s, as long as the audio', (rate, kbps) => {
    const seconds = 1.5;
    const mp3 = encodeMp3(tone(rate, seconds), rate, { kbps });
    const info = walkFrames(mp3);
    expect(info).toMatchObject({ sampleRate: rate, kbps });
    const encodedSeconds = (info.frames * info.samplesPerFrame) / rate;
    // The encoder adds at most a couple of frames of delay and padding.
    expect(encodedSeconds).toBeGreaterThanOrEqual(seconds);
    expect(encodedSeconds).toBeLessThan(seconds + (3 * info.samplesPerFrame) / rate);
    expect(mp3.length).toBeGreaterThan(((kbps * 1000) / 8) * seconds * 0.95);
  });

  it('encodes empty input to a small valid stream', () => {
    const mp3 = encodeMp3(new Int16Array(0), 22050);
    if (mp3.length > 0) walkFrames(mp3);
    expect(mp3.length).toBeLessThan(1000);
  });

  it('rejects sample rates MP3 cannot carry and bit rates invalid for the version', () => {
    expect(() => encodeMp3(new Int16Array(10), 8001)).toThrow(AudioError);
    expect(() => encodeMp3(new Int16Array(10), 22050, { kbps: 320 })).toThrow(/320 kbit\/s/);
    expect(() => encodeMp3(new Int16Array(10), 44100, { kbps: 8 })).toThrow(AudioError);
  });
});
