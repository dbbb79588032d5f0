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

/** One 20 ms frame of μ-law 8 kHz: what Twilio sends in every media message. */
export const LIVE_FRAME_BYTES = 160;

/**
 * A caller on a live line (the dashboard's test call): each 20 ms frame comes from outside as the
 * call runs, and what the caller hears is handed back as it plays.
 */
export interface LiveCaller {
  /** The next frame to send (LIVE_FRAME_BYTES); undefined sends silence. Called every 20 ms. */
  nextFrame(): Uint8Array | undefined;
  /** Agent audio as it starts to play to the caller (μ-law 8 kHz, the server's chunks). */
  hear(audio: Uint8Array): void;
  /** The server sent `clear`: audio already handed to hear() should stop where it is. */
  cleared(): void;
}

/**
 * Frames pushed as they arrive (a microphone over the network), taken one per 20 ms. At most
 * `maxFrames` wait: a sender running ahead of the line's clock loses its oldest frames rather
 * than building up delay, as a jitter buffer does.
 */
export class LiveAudioQueue {
  private readonly frames: Uint8Array[] = [];
  private droppedFrames = 0;

  constructor(private readonly maxFrames = 10) {}

  /** Queues one frame (exactly LIVE_FRAME_BYTES, copied); false when it is the wrong size. */
  push(frame: Uint8Array): boolean {
    if (frame.length !== LIVE_FRAME_BYTES) return false;
    this.frames.push(Uint8Array.from(frame));
    if (this.frames.length > this.maxFrames) {
      this.frames.shift();
      this.droppedFrames += 1;
    }
    return true;
  }

  /** The oldest waiting frame, or undefined (the line then carries silence). */
  nextFrame(): Uint8Array | undefined {
    return this.frames.shift();
  }

  get waiting(): number {
    return this.frames.length;
  }

  /** Frames dropped because too many were waiting. */
  get dropped(): number {
    return this.droppedFrames;
  }
}
