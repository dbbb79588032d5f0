// G.711 μ-law: 16-bit linear PCM <-> 8-bit μ-law, bit-exact with the ITU-T G.191 reference
// (ulaw_compress/ulaw_expand). Both directions are lookups in tables built once at load.

import { AudioError } from './errors.js';

/** μ-law code of linear 0 (positive zero). Twilio and OpenAI pad gaps with it. */
export const MULAW_SILENCE = 0xff;

function encodeByRule(sample: number): number {
  // The reference takes the one's complement of negative samples, so -1..-4 encode as
  // "negative zero" (0x7f) rather than rounding towards the first negative step.
  const negative = sample < 0;
  const magnitude14 = (negative ? ~sample : sample) >> 2;
  const biased = Math.min(magnitude14 + 33, 0x1fff);
  const exponent = 32 - Math.clz32(biased >> 6);
  const mantissa = (biased >> (exponent + 1)) & 0x0f;
  const code = 0x7f ^ ((exponent << 4) | mantissa);
  return negative ? code : code | 0x80;
}

function decodeByRule(code: number): number {
  const inverted = ~code & 0xff;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const magnitude = ((((mantissa << 1) + 33) << exponent) - 33) << 2;
  return inverted & 0x80 ? -magnitude : magnitude;
}

/** Indexed by `sample & 0xffff` (two's complement bit pattern). */
const ENCODE = new Uint8Array(65536);
for (let s = -32768; s < 32768; s++) ENCODE[s & 0xffff] = encodeByRule(s);

const DECODE = new Int16Array(256);
for (let c = 0; c < 256; c++) DECODE[c] = decodeByRule(c);

/** Encodes one sample; values outside int16 are clamped. */
export function mulawEncodeSample(sample: number): number {
  const s = sample > 32767 ? 32767 : sample < -32768 ? -32768 : sample | 0;
  return ENCODE[s & 0xffff]!;
}

export function mulawDecodeSample(code: number): number {
  return DECODE[code & 0xff]!;
}

/**
 * Encodes PCM16 into μ-law. Pass `out` (at least `pcm.length` long) to reuse a buffer; the
 * result is then a view of it.
 */
export function mulawEncode(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const n = pcm.length;
  const dst = prepareOut(out, n, Uint8Array, 'mulawEncode');
  for (let i = 0; i < n; i++) dst[i] = ENCODE[pcm[i]! & 0xffff]!;
  return dst;
}

/** Decodes μ-law bytes (a Buffer works) into PCM16; `out` as for {@link mulawEncode}. */
export function mulawDecode(codes: Uint8Array, out?: Int16Array): Int16Array {
  const n = codes.length;
  const dst = prepareOut(out, n, Int16Array, 'mulawDecode');
  for (let i = 0; i < n; i++) dst[i] = DECODE[codes[i]!]!;
  return dst;
}

/** Shared by the G.711 codecs: validates a caller's output buffer or allocates one. */
export function prepareOut<T extends Uint8Array | Int16Array>(
  out: T | undefined,
  length: number,
  ctor: { new (length: number): T },
  fn: string,
): T {
  if (out === undefined) return new ctor(length);
  if (out.length < length) {
    throw new AudioError('BAD_ARGUMENT', `${fn}: output holds ${out.length} samples, needs ${length}`);
  }
  return out.length === length ? out : (out.subarray(0, length) as T);
}
