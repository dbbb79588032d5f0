// MP3 encoding of mono PCM16 with lamejs (a pure-JS port of LAME), for files Twilio fetches with
// <Play>, such as the pre-rendered greeting.

import { Mp3Encoder } from '@breezystack/lamejs';
import { AudioError } from './errors.js';

/** Sample rates an MPEG-1/2/2.5 Layer III stream can carry. */
export const MP3_SAMPLE_RATES: readonly number[] = [
  8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000,
];
const MPEG1_KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_KBPS = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
/** The encoder's natural block: one Layer III frame of samples. */
const BLOCK = 1152;

export interface Mp3Options {
  /** Constant bit rate; default 48 kbit/s (ample for speech). */
  readonly kbps?: number;
}

/** Encodes mono PCM16 at `sampleRate` to a constant-bit-rate MP3 (no ID3 tag). */
export function encodeMp3(pcm: Int16Array, sampleRate: number, options: Mp3Options = {}): Uint8Array {
  if (!(pcm instanceof Int16Array)) throw new AudioError('BAD_ARGUMENT', 'encodeMp3 expects an Int16Array');
  if (!MP3_SAMPLE_RATES.includes(sampleRate)) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `MP3 cannot carry ${sampleRate} Hz; use one of ${MP3_SAMPLE_RATES.join(', ')}`,
    );
  }
  const kbps = options.kbps ?? 48;
  const allowed = sampleRate >= 32000 ? MPEG1_KBPS : MPEG2_KBPS;
  if (!allowed.includes(kbps)) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `${kbps} kbit/s is not valid at ${sampleRate} Hz; use one of ${allowed.join(', ')}`,
    );
  }
  const parts: Uint8Array[] = [];
  try {
    const encoder = new Mp3Encoder(1, sampleRate, kbps);
    for (let at = 0; at < pcm.length; at += BLOCK) {
      const part = encoder.encodeBuffer(pcm.subarray(at, Math.min(at + BLOCK, pcm.length)));
      if (part.length > 0) parts.push(part);
    }
    const tail = encoder.flush();
    if (tail.length > 0) parts.push(tail);
  } catch (err) {
    throw new AudioError('MP3_FAILED', `MP3 encoding failed: ${(err as Error).message}`, { cause: err });
  }
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
