// The browser's microphone path up to the WebSocket, run in Node (it has no DOM dependency):
// float samples at the AudioContext's rate in any chunking → 160-byte μ-law frames at 8 kHz.
import { describe, expect, it } from 'vitest';
import { mulawDecode } from '../../src/audio/mulaw.js';
import { MulawUplink } from '../../web/src/test-call/uplink.js';

function tone(rate: number, seconds: number, hz: number, amplitude: number): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

/** Feeds `samples` in chunks of irregular size, as worklet and ScriptProcessor blocks differ. */
function frames(rate: number, samples: Float32Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const uplink = new MulawUplink(rate, (frame) => out.push(Uint8Array.from(frame)));
  const sizes = [128, 441, 1024, 37, 480];
  for (let offset = 0, k = 0; offset < samples.length; k++) {
    const size = sizes[k % sizes.length]!;
    uplink.push(samples.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

describe('MulawUplink', () => {
  for (const rate of [48000, 44100]) {
    it(`turns ${rate} Hz samples into 20 ms frames of 8 kHz μ-law that keep the tone`, () => {
      const out = frames(rate, tone(rate, 1, 440, 0.5));
      expect(out.every((f) => f.length === 160)).toBe(true);
      // One second is 50 frames, less the resampler's look-ahead still held back.
      expect(out.length).toBeGreaterThanOrEqual(48);
      expect(out.length).toBeLessThanOrEqual(50);
      // Past the filter's start-up, the level is the input's (0.5 peak ⇒ RMS ≈ 0.354).
      const pcm = mulawDecode(Buffer.concat(out.slice(5)));
      const rms = Math.sqrt(pcm.reduce((sum, s) => sum + s * s, 0) / pcm.length) / 32768;
      expect(rms).toBeGreaterThan(0.33);
      expect(rms).toBeLessThan(0.37);
      // 440 Hz at 8 kHz crosses zero about 880 times a second.
      let crossings = 0;
      for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 !== pcm[i]! < 0) crossings++;
      expect(crossings / (pcm.length / 8000)).toBeGreaterThan(860);
      expect(crossings / (pcm.length / 8000)).toBeLessThan(900);
    });
  }

  it('clips out-of-range samples instead of wrapping, and encodes silence as μ-law zero', () => {
    const loud = frames(48000, new Float32Array(4800).fill(3));
    const decoded = mulawDecode(Buffer.concat(loud.slice(2)));
    expect(Math.min(...decoded)).toBeGreaterThan(30000);
    const quiet = frames(48000, new Float32Array(4800));
    expect(quiet.every((f) => f.every((b) => b === 0xff))).toBe(true);
  });
});
