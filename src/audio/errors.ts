// The one error type the audio toolkit throws: a stable code plus a message that says what was wrong,
// so callers can map bad input (a malformed WAV, an unknown voice) without parsing message text.

export type AudioErrorCode =
  | 'WAV_MALFORMED'
  | 'WAV_UNSUPPORTED'
  | 'BAD_ARGUMENT'
  | 'MP3_FAILED'
  | 'TTS_FAILED'
  | 'TTS_UNKNOWN_VOICE'
  | 'CACHE_FAILED';

export class AudioError extends Error {
  constructor(
    readonly code: AudioErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AudioError';
  }
}

/** Throws BAD_ARGUMENT unless `value` is an integer in [min, max]. */
export function assertIntInRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}
