// The caller's voice: μ-law 8 kHz bytes as Twilio sends them, from raw μ-law or a WAV file (μ-law,
// A-law or PCM16, any rate, mono or stereo: decoded, mixed to mono and resampled to 8 kHz).
import { readFile } from 'node:fs/promises';
import { readWav, wavToMonoPcm16 } from '../audio/wav.js';
import { resample } from '../audio/resample.js';
import { mulawEncode } from '../audio/mulaw.js';

/** Raw μ-law/8000 bytes, or a WAV file given by path or bytes. */
export type CallerAudio = Uint8Array | { wav: string | Uint8Array };

export function wavToMulaw8k(bytes: Uint8Array): Uint8Array {
  const wav = readWav(bytes);
  if (wav.encoding === 'mulaw' && wav.sampleRate === 8000 && wav.channels === 1) return wav.data;
  const pcm = wavToMonoPcm16(wav);
  return mulawEncode(wav.sampleRate === 8000 ? pcm : resample(pcm, wav.sampleRate, 8000));
}

export async function loadCallerAudio(source: CallerAudio): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  const bytes = typeof source.wav === 'string' ? await readFile(source.wav) : source.wav;
  return wavToMulaw8k(bytes);
}
