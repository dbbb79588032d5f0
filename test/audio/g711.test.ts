import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ALAW_SILENCE,
  alawDecode,
  alawDecodeSample,
  alawEncode,
  alawEncodeSample,
} from '../../src/audio/alaw.js';
import { AudioError } from '../../src/audio/errors.js';
import {
  MULAW_SILENCE,
  mulawDecode,
  mulawDecodeSample,
  mulawEncode,
  mulawEncodeSample,
} from '../../src/audio/mulaw.js';

// Golden values and table hashes were produced by the ITU-T G.191 STL reference (g711.c:
// ulaw_compress/ulaw_expand/alaw_compress/alaw_expand), not by the code under test.
const ITU_SHA256 = {
  mulawEncode: '90c29de505fb68e766118303bd552a16005dcf810873698bee1d8f3b247ce28c',
  mulawDecode: '3dab54339e520bb2c924826e3b72a917a2b612e9fd12fc867500f1d983a75827',
  alawEncode: '38488f6fd710f4686360edc4d38639f96c491595ef93f8eb8d62d5e07ca6ce7b',
  alawDecode: 'e04788d110e58ff8c70c93b8480190d973e3b67876b6119abbaec766cc75c174',
};

function sha256(a: Uint8Array | Int16Array): string {
  return createHash('sha256')
    .update(Buffer.from(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
}

function everySample(): Int16Array {
  const all = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) all[i] = i - 32768;
  return all;
}

function everyCode(): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, i) => i);
}

describe('μ-law', () => {
  it('decodes the reference code points', () => {
    expect(mulawDecodeSample(0xff)).toBe(0);
    expect(mulawDecodeSample(0x7f)).toBe(0);
    expect(mulawDecodeSample(0x00)).toBe(-32124);
    expect(mulawDecodeSample(0x80)).toBe(32124);
    expect(mulawDecodeSample(0x01)).toBe(-31100);
    expect(mulawDecodeSample(0x8f)).toBe(16764);
    expect(mulawDecodeSample(0xf0)).toBe(120);
    expect(mulawDecodeSample(0xfe)).toBe(8);
    expect(mulawDecodeSample(0x7e)).toBe(-8);
  });

  it('encodes the reference samples, including one’s-complement rounding of negatives', () => {
    const cases: Array<[number, number]> = [
      [0, 0xff],
      [3, 0xff],
      [4, 0xfe],
      [-1, 0x7f],
      [-4, 0x7f],
      [100, 0xf2],
      [-100, 0x73],
      [1000, 0xce],
      [-1000, 0x4e],
      [8159, 0x9f],
      [16000, 0x90],
      [32124, 0x80],
      [32767, 0x80],
      [-32768, 0x00],
    ];
    for (const [sample, code] of cases) expect([sample, mulawEncodeSample(sample)]).toEqual([sample, code]);
  });

  it('matches the ITU reference for every 16-bit sample and every code', () => {
    expect(sha256(mulawEncode(everySample()))).toBe(ITU_SHA256.mulawEncode);
    expect(sha256(mulawDecode(everyCode()))).toBe(ITU_SHA256.mulawDecode);
  });

  it('uses 0xff as silence', () => {
    expect(MULAW_SILENCE).toBe(0xff);
    expect(mulawEncode(new Int16Array(160))).toEqual(new Uint8Array(160).fill(0xff));
  });

  it('re-encodes every decoded value to a code with the same value', () => {
    for (let c = 0; c < 256; c++) {
      const v = mulawDecodeSample(c);
      expect(mulawDecodeSample(mulawEncodeSample(v))).toBe(v);
    }
  });

  it('clamps single samples outside the 16-bit range', () => {
    expect(mulawEncodeSample(40000)).toBe(0x80);
    expect(mulawEncodeSample(-40000)).toBe(0x00);
  });

  it('decodes a Buffer and writes into a caller’s buffer without allocating a new one', () => {
    const out = new Int16Array(4);
    const result = mulawDecode(Buffer.from([0xff, 0x80, 0x00, 0xfe]), out);
    expect(result).toBe(out);
    expect([...out]).toEqual([0, 32124, -32124, 8]);
    const bigger = new Uint8Array(10);
    const view = mulawEncode(Int16Array.of(0, 32767), bigger);
    expect(view.buffer).toBe(bigger.buffer);
    expect([...view]).toEqual([0xff, 0x80]);
  });

  it('rejects an output buffer that is too small', () => {
    expect(() => mulawEncode(new Int16Array(5), new Uint8Array(4))).toThrow(AudioError);
    expect(() => mulawDecode(new Uint8Array(5), new Int16Array(4))).toThrow(/needs 5/);
  });
});

describe('A-law', () => {
  it('decodes the reference code points', () => {
    expect(alawDecodeSample(0xd5)).toBe(8);
    expect(alawDecodeSample(0x55)).toBe(-8);
    expect(alawDecodeSample(0xaa)).toBe(32256);
    expect(alawDecodeSample(0x2a)).toBe(-32256);
    expect(alawDecodeSample(0x80)).toBe(5504);
    expect(alawDecodeSample(0x00)).toBe(-5504);
    expect(alawDecodeSample(0xd4)).toBe(24);
    expect(alawDecodeSample(0x7a)).toBe(-1008);
  });

  it('encodes the reference samples', () => {
    const cases: Array<[number, number]> = [
      [0, 0xd5],
      [15, 0xd5],
      [16, 0xd4],
      [-1, 0x55],
      [-16, 0x55],
      [-17, 0x54],
      [32, 0xd7],
      [100, 0xd3],
      [-100, 0x53],
      [1000, 0xfa],
      [4096, 0x85],
      [-4096, 0x1a],
      [32767, 0xaa],
      [-32768, 0x2a],
    ];
    for (const [sample, code] of cases) expect([sample, alawEncodeSample(sample)]).toEqual([sample, code]);
  });

  it('matches the ITU reference for every 16-bit sample and every code', () => {
    expect(sha256(alawEncode(everySample()))).toBe(ITU_SHA256.alawEncode);
    expect(sha256(alawDecode(everyCode()))).toBe(ITU_SHA256.alawDecode);
  });

  it('uses 0xd5 as silence and re-encodes every decoded value to the same value', () => {
    expect(alawEncodeSample(0)).toBe(ALAW_SILENCE);
    for (let c = 0; c < 256; c++) {
      const v = alawDecodeSample(c);
      expect(alawDecodeSample(alawEncodeSample(v))).toBe(v);
    }
  });

  it('rejects an output buffer that is too small', () => {
    expect(() => alawEncode(new Int16Array(3), new Uint8Array(2))).toThrow(AudioError);
  });
});
