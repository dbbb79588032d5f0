// G.711 A-law: 16-bit linear PCM <-> 8-bit A-law, bit-exact with the ITU-T G.191 reference
// (alaw_compress/alaw_expand). Both directions are lookups in tables built once at load.

import { prepareOut } from './mulaw.js';

/** A-law code of the smallest positive step; what A-law lines carry for silence. */
export const ALAW_SILENCE = 0xd5;

function encodeByRule(sample: number): number {
  // One's complement for negatives, as in the reference: -1..-16 share code 0x55.
  const negative = sample < 0;
  const magnitude12 = (negative ? ~sample : sample) >> 4;
  let code: number;
  if (magnitude12 < 16) {
    code = magnitude12;
  } else {
    const exponent = 32 - Math.clz32(magnitude12 >> 4);
    code = (exponent << 4) | ((magnitude12 >> (exponent - 1)) & 0x0f);
  }
  // Even bits are inverted on the line (the 0x55 mask) so idle channels carry transitions.
  return (negative ? code : code | 0x80) ^ 0x55;
}

function decodeByRule(code: number): number {
  const plain = code ^ 0x55;
  const exponent = (plain >> 4) & 0x07;
  const mantissa = plain & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : (((mantissa + 16) << 4) + 8) << (exponent - 1);
  return code & 0x80 ? magnitude : -magnitude;
}

const ENCODE = new Uint8Array(65536);
for (let s = -32768; s < 32768; s++) ENCODE[s & 0xffff] = encodeByRule(s);

const DECODE = new Int16Array(256);
for (let c = 0; c < 256; c++) DECODE[c] = decodeByRule(c);

/** Encodes one sample; values outside int16 are clamped. */
export function alawEncodeSample(sample: number): number {
  const s = sample > 32767 ? 32767 : sample < -32768 ? -32768 : sample | 0;
  return ENCODE[s & 0xffff]!;
}

export function alawDecodeSample(code: number): number {
  return DECODE[code & 0xff]!;
}

/** Encodes PCM16 into A-law; pass `out` (at least `pcm.length` long) to reuse a buffer. */
export function alawEncode(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const n = pcm.length;
  const dst = prepareOut(out, n, Uint8Array, 'alawEncode');
  for (let i = 0; i < n; i++) dst[i] = ENCODE[pcm[i]! & 0xffff]!;
  return dst;
}

/** Decodes A-law bytes into PCM16; `out` as for {@link alawEncode}. */
export function alawDecode(codes: Uint8Array, out?: Int16Array): Int16Array {
  const n = codes.length;
  const dst = prepareOut(out, n, Int16Array, 'alawDecode');
  for (let i = 0; i < n; i++) dst[i] = DECODE[codes[i]!]!;
  return dst;
}
