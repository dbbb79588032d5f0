// WAV (RIFF/WAVE) reading and writing for PCM16, μ-law (format 7) and A-law (format 6), mono or
// stereo. Reading skips unknown chunks (LIST, fact, …) and reports malformed files as AudioError.

import { alawDecode } from './alaw.js';
import { AudioError } from './errors.js';
import { mulawDecode } from './mulaw.js';

export type WavEncoding = 'pcm16' | 'mulaw' | 'alaw';

export interface WavData {
  readonly encoding: WavEncoding;
  readonly sampleRate: number;
  readonly channels: 1 | 2;
  /** Sample frames (one sample per channel each). */
  readonly frames: number;
  /** The raw sample bytes, interleaved; a view into the buffer that was read. */
  readonly data: Uint8Array;
}

export type WavWriteInput =
  | { encoding: 'pcm16'; sampleRate: number; channels?: 1 | 2; samples: Int16Array }
  | { encoding: 'mulaw' | 'alaw'; sampleRate: number; channels?: 1 | 2; samples: Uint8Array };

const FORMAT_PCM = 1;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;
const MIN_RATE = 1000;
const MAX_RATE = 384_000;

function fourCC(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
}

function malformed(message: string): AudioError {
  return new AudioError('WAV_MALFORMED', `not a valid WAV file: ${message}`);
}

interface Fmt {
  format: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

function parseFmt(view: DataView, at: number, size: number): Fmt {
  if (size < 16) throw malformed(`fmt chunk is ${size} bytes, needs at least 16`);
  let format = view.getUint16(at, true);
  if (format === FORMAT_EXTENSIBLE) {
    // WAVE_FORMAT_EXTENSIBLE keeps the real format code in the first two bytes of its GUID.
    if (size < 40) throw malformed(`extensible fmt chunk is ${size} bytes, needs 40`);
    format = view.getUint16(at + 24, true);
  }
  return {
    format,
    channels: view.getUint16(at + 2, true),
    sampleRate: view.getUint32(at + 4, true),
    blockAlign: view.getUint16(at + 12, true),
    bits: view.getUint16(at + 14, true),
  };
}

function encodingOf(fmt: Fmt): WavEncoding {
  const expectBits = (bits: number, name: string): void => {
    if (fmt.bits !== bits) {
      throw new AudioError(
        'WAV_UNSUPPORTED',
        `${name} WAV must have ${bits} bits per sample, has ${fmt.bits}`,
      );
    }
  };
  switch (fmt.format) {
    case FORMAT_PCM:
      expectBits(16, 'PCM');
      return 'pcm16';
    case FORMAT_MULAW:
      expectBits(8, 'μ-law');
      return 'mulaw';
    case FORMAT_ALAW:
      expectBits(8, 'A-law');
      return 'alaw';
    default:
      throw new AudioError(
        'WAV_UNSUPPORTED',
        `WAV format ${fmt.format} is not supported (only PCM 16-bit, μ-law and A-law)`,
      );
  }
}

/**
 * Parses a WAV file. Tolerates what real writers produce: extra chunks before or after the data,
 * a wrong RIFF size, and a data size that is unknown (0xFFFFFFFF) or runs past the end of a
 * truncated file (the whole frames present are used).
 */
export function readWav(bytes: Uint8Array): WavData {
  if (!(bytes instanceof Uint8Array)) throw new AudioError('BAD_ARGUMENT', 'readWav expects a Uint8Array');
  if (bytes.length < 12) throw malformed(`only ${bytes.length} bytes`);
  const riff = fourCC(bytes, 0);
  if (riff === 'RIFX' || riff === 'RF64') {
    throw new AudioError('WAV_UNSUPPORTED', `${riff} files are not supported, only little-endian RIFF`);
  }
  if (riff !== 'RIFF') throw malformed('missing RIFF header');
  if (fourCC(bytes, 8) !== 'WAVE') throw malformed(`RIFF type is "${fourCC(bytes, 8)}", not WAVE`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Fmt | undefined;
  let data: Uint8Array | undefined;
  let at = 12;
  // Every step advances by at least 8 bytes, so the scan ends on any input.
  while (at + 8 <= bytes.length) {
    const id = fourCC(bytes, at);
    const declared = view.getUint32(at + 4, true);
    const body = at + 8;
    const available = bytes.length - body;
    if (id === 'fmt ') {
      if (declared > available) throw malformed('fmt chunk runs past the end of the file');
      fmt ??= parseFmt(view, body, declared);
    } else if (id === 'data' && !data) {
      data = bytes.subarray(body, body + Math.min(declared, available));
    }
    // Chunks are padded to an even length.
    at = body + declared + (declared & 1);
  }
  if (!fmt) throw malformed('no fmt chunk');
  if (!data) throw malformed('no data chunk');

  const encoding = encodingOf(fmt);
  if (fmt.channels !== 1 && fmt.channels !== 2) {
    throw new AudioError(
      'WAV_UNSUPPORTED',
      `WAV has ${fmt.channels} channels; only mono and stereo are supported`,
    );
  }
  if (fmt.sampleRate < MIN_RATE || fmt.sampleRate > MAX_RATE) {
    throw malformed(`sample rate ${fmt.sampleRate} Hz is out of range`);
  }
  const frameBytes = fmt.channels * (fmt.bits / 8);
  if (fmt.blockAlign !== frameBytes) {
    throw malformed(`block align is ${fmt.blockAlign}, expected ${frameBytes} for this format`);
  }
  const frames = Math.floor(data.length / frameBytes);
  return {
    encoding,
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    frames,
    data: data.subarray(0, frames * frameBytes),
  };
}

/** Decodes the samples of a WAV to PCM16, interleaved if stereo. */
export function wavToPcm16(wav: WavData): Int16Array {
  const { data } = wav;
  if (wav.encoding === 'mulaw') return mulawDecode(data);
  if (wav.encoding === 'alaw') return alawDecode(data);
  const out = new Int16Array(data.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = ((data[2 * i]! | (data[2 * i + 1]! << 8)) << 16) >> 16;
  return out;
}

/** Decodes a WAV to mono PCM16, averaging the channels of a stereo file. */
export function wavToMonoPcm16(wav: WavData): Int16Array {
  const pcm = wavToPcm16(wav);
  if (wav.channels === 1) return pcm;
  const mono = new Int16Array(wav.frames);
  for (let i = 0; i < mono.length; i++) mono[i] = (pcm[2 * i]! + pcm[2 * i + 1]!) >> 1;
  return mono;
}

/** Serialises samples as a WAV file. μ-law and A-law files get the fact chunk the format requires. */
export function writeWav(input: WavWriteInput): Uint8Array {
  const channels = input.channels ?? 1;
  if (channels !== 1 && channels !== 2) throw new AudioError('BAD_ARGUMENT', 'channels must be 1 or 2');
  const rate = input.sampleRate;
  if (!Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) {
    throw new AudioError('BAD_ARGUMENT', `sample rate must be an integer from ${MIN_RATE} to ${MAX_RATE} Hz`);
  }
  const { samples } = input;
  const pcm = input.encoding === 'pcm16';
  if (pcm ? !(samples instanceof Int16Array) : !(samples instanceof Uint8Array)) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `${input.encoding} samples must be ${pcm ? 'an Int16Array' : 'a Uint8Array'}`,
    );
  }
  if (samples.length % channels !== 0) {
    throw new AudioError('BAD_ARGUMENT', `${samples.length} samples do not split into ${channels} channels`);
  }
  const bytesPerSample = pcm ? 2 : 1;
  const dataBytes = samples.length * bytesPerSample;
  const pad = dataBytes & 1;
  const fmtBytes = pcm ? 16 : 18;
  const factBytes = pcm ? 0 : 12;
  const total = 12 + 8 + fmtBytes + factBytes + 8 + dataBytes + pad;
  if (total > 0xffffffff) throw new AudioError('BAD_ARGUMENT', 'audio too long for a WAV file');

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const putId = (at: number, id: string): void => {
    for (let k = 0; k < 4; k++) out[at + k] = id.charCodeAt(k);
  };
  putId(0, 'RIFF');
  view.setUint32(4, total - 8, true);
  putId(8, 'WAVE');
  putId(12, 'fmt ');
  view.setUint32(16, fmtBytes, true);
  const format = pcm ? FORMAT_PCM : input.encoding === 'mulaw' ? FORMAT_MULAW : FORMAT_ALAW;
  view.setUint16(20, format, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * channels * bytesPerSample, true);
  view.setUint16(32, channels * bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  let at = 36;
  if (!pcm) {
    view.setUint16(at, 0, true); // cbSize: no extra format bytes
    at += 2;
    putId(at, 'fact');
    view.setUint32(at + 4, 4, true);
    view.setUint32(at + 8, samples.length / channels, true);
    at += 12;
  }
  putId(at, 'data');
  view.setUint32(at + 4, dataBytes, true);
  at += 8;
  if (pcm) {
    for (let i = 0; i < samples.length; i++) view.setInt16(at + 2 * i, samples[i]!, true);
  } else {
    out.set(samples as Uint8Array, at);
  }
  return out;
}
