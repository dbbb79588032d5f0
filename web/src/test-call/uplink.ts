// Microphone samples → the phone line: float at the context's rate → PCM16 → 8 kHz (the server's
// own streaming resampler) → μ-law (the server's G.711 tables) → 160-byte frames of 20 ms each.
import { Resampler } from '../../../src/audio/resample.js';
import { mulawEncode } from '../../../src/audio/mulaw.js';
import { TEST_CALL_FRAME_BYTES, TEST_CALL_SAMPLE_RATE } from '../../../src/test-call/protocol.js';

export class MulawUplink {
  private readonly resampler: Resampler;
  private frame = new Uint8Array(TEST_CALL_FRAME_BYTES);
  private filled = 0;

  constructor(
    fromRate: number,
    private readonly onFrame: (frame: Uint8Array) => void,
  ) {
    this.resampler = new Resampler(Math.round(fromRate), TEST_CALL_SAMPLE_RATE);
  }

  push(samples: Float32Array): void {
    const pcm = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      pcm[i] = s >= 1 ? 32767 : s <= -1 ? -32768 : Math.round(s * 32767);
    }
    const mulaw = mulawEncode(this.resampler.process(pcm));
    let offset = 0;
    while (offset < mulaw.length) {
      const take = Math.min(mulaw.length - offset, TEST_CALL_FRAME_BYTES - this.filled);
      this.frame.set(mulaw.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === TEST_CALL_FRAME_BYTES) {
        this.onFrame(this.frame);
        this.frame = new Uint8Array(TEST_CALL_FRAME_BYTES);
        this.filled = 0;
      }
    }
  }
}
