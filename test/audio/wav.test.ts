import { describe, expect, it } from 'vitest';
import { AudioError } from '../../src/audio/errors.js';
import { mulawEncode } from '../../src/audio/mulaw.js';
import { readWav, wavToMonoPcm16, wavToPcm16, writeWav } from '../../src/audio/wav.js';

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function u16(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}

function chunk(id: string, body: number[]): number[] {
  return [...ascii(id), ...u32(body.length), ...body, ...(body.length & 1 ? [0] : [])];
}

function fmtBody(format: number, channels: number, rate: number, bits: number): number[] {
  const align = (channels * bits) / 8;
  return [...u16(format), ...u16(channels), ...u32(rate), ...u32(rate * align), ...u16(align), ...u16(bits)];
}

function riff(...chunks: number[][]): Uint8Array {
  const body = chunks.flat();
  return Uint8Array.from([...ascii('RIFF'), ...u32(body.length + 4), ...ascii('WAVE'), ...body]);
}

function expectAudioError(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AudioError);
    expect((err as AudioError).code).toBe(code);
    if (message) expect((err as AudioError).message).toMatch(message);
    return;
  }
  throw new Error('expected an AudioError');
}

describe('writeWav', () => {
  it('writes the canonical 44-byte header for PCM16 mono', () => {
    const bytes = writeWav({ encoding: 'pcm16', sampleRate: 8000, samples: Int16Array.of(1, -2) });
    expect(bytes).toEqual(
      hex(`52494646 28000000 57415645 666d7420 10000000 0100 0100 401f0000 803e0000 0200 1000
           64617461 04000000 0100 feff`),
    );
  });

  it('writes μ-law with format 7, an 18-byte fmt, a fact chunk and a pad byte for odd data', () => {
    const bytes = writeWav({ encoding: 'mulaw', sampleRate: 8000, samples: Uint8Array.of(0xff, 0x80, 0x00) });
    expect(bytes).toEqual(
      hex(`52494646 36000000 57415645 666d7420 12000000 0700 0100 401f0000 401f0000 0100 0800 0000
           66616374 04000000 03000000 64617461 03000000 ff8000 00`),
    );
  });

  it('rejects samples that do not split into the channels, and bad rates', () => {
    expectAudioError(
      () => writeWav({ encoding: 'pcm16', sampleRate: 8000, channels: 2, samples: new Int16Array(3) }),
      'BAD_ARGUMENT',
    );
    expectAudioError(
      () => writeWav({ encoding: 'alaw', sampleRate: 12.5, samples: new Uint8Array(3) }),
      'BAD_ARGUMENT',
    );
  });
});

describe('readWav', () => {
  it('round-trips PCM16 stereo, μ-law and A-law', () => {
    const pcm = Int16Array.of(0, 1, -1, 32767, -32768, 1234);
    const stereo = readWav(writeWav({ encoding: 'pcm16', sampleRate: 16000, channels: 2, samples: pcm }));
    expect(stereo).toMatchObject({ encoding: 'pcm16', sampleRate: 16000, channels: 2, frames: 3 });
    expect(wavToPcm16(stereo)).toEqual(pcm);

    const codes = mulawEncode(Int16Array.of(0, 1000, -1000));
    const mu = readWav(writeWav({ encoding: 'mulaw', sampleRate: 8000, samples: codes }));
    expect(mu).toMatchObject({ encoding: 'mulaw', sampleRate: 8000, channels: 1, frames: 3 });
    expect(mu.data).toEqual(codes);
    expect([...wavToPcm16(mu)]).toEqual([0, 988, -988]);

    const a = readWav(writeWav({ encoding: 'alaw', sampleRate: 8000, samples: Uint8Array.of(0xd5, 0x55) }));
    expect(a.encoding).toBe('alaw');
    expect([...wavToPcm16(a)]).toEqual([8, -8]);
  });

  it('skips LIST and other chunks before and after the data, honouring odd-size padding', () => {
    const bytes = riff(
      chunk('LIST', [...ascii('INFOISFT'), ...u32(3), ...ascii('ab'), 0]),
      chunk('junk', [1, 2, 3]),
      chunk('fmt ', fmtBody(1, 1, 8000, 16)),
      chunk('data', [...u16(5), ...u16(0xfffb)]),
      chunk('LIST', [9, 9, 9, 9]),
    );
    const wav = readWav(bytes);
    expect([...wavToPcm16(wav)]).toEqual([5, -5]);
  });

  it('reads a fmt chunk that comes after the data chunk', () => {
    const wav = readWav(riff(chunk('data', [0xff, 0xff]), chunk('fmt ', fmtBody(7, 1, 8000, 8))));
    expect(wav).toMatchObject({ encoding: 'mulaw', frames: 2 });
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with a μ-law subformat', () => {
    const guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    const fmt = [...fmtBody(0xfffe, 1, 8000, 8), ...u16(22), ...u16(8), ...u32(4), ...u16(7), ...guidTail];
    const wav = readWav(riff(chunk('fmt ', fmt), chunk('data', [0xff])));
    expect(wav).toMatchObject({ encoding: 'mulaw', sampleRate: 8000, frames: 1 });
  });

  it('uses the whole frames of a truncated file and of a data chunk with unknown size', () => {
    const full = writeWav({ encoding: 'pcm16', sampleRate: 8000, samples: Int16Array.of(1, 2, 3, 4) });
    const truncated = readWav(full.subarray(0, full.length - 3));
    expect([...wavToPcm16(truncated)]).toEqual([1, 2]);
    const streamed = full.slice();
    streamed.set(u32(0xffffffff), 40);
    streamed.set(u32(0xffffffff), 4);
    expect([...wavToPcm16(readWav(streamed))]).toEqual([1, 2, 3, 4]);
  });

  it('mixes stereo down to mono by averaging', () => {
    const wav = readWav(
      writeWav({
        encoding: 'pcm16',
        sampleRate: 8000,
        channels: 2,
        samples: Int16Array.of(100, 300, -10, -30),
      }),
    );
    expect([...wavToMonoPcm16(wav)]).toEqual([200, -20]);
  });

  it('explains malformed files with WAV_MALFORMED', () => {
    expectAudioError(() => readWav(new Uint8Array(0)), 'WAV_MALFORMED', /0 bytes/);
    expectAudioError(
      () => readWav(Uint8Array.from(ascii('hello world, not a wav'))),
      'WAV_MALFORMED',
      /RIFF/,
    );
    expectAudioError(() => readWav(riff().map((b, i) => (i === 8 ? 0x41 : b))), 'WAV_MALFORMED', /WAVE/);
    expectAudioError(() => readWav(riff(chunk('data', [0, 0]))), 'WAV_MALFORMED', /no fmt/);
    expectAudioError(() => readWav(riff(chunk('fmt ', fmtBody(1, 1, 8000, 16)))), 'WAV_MALFORMED', /no data/);
    expectAudioError(
      () => readWav(riff(chunk('fmt ', [1, 0, 1, 0]), chunk('data', []))),
      'WAV_MALFORMED',
      /fmt/,
    );
    const badAlign = fmtBody(1, 1, 8000, 16);
    badAlign[12] = 4;
    expectAudioError(
      () => readWav(riff(chunk('fmt ', badAlign), chunk('data', []))),
      'WAV_MALFORMED',
      /align/,
    );
    expectAudioError(
      () => readWav(riff(chunk('fmt ', fmtBody(1, 1, 0, 16)), chunk('data', []))),
      'WAV_MALFORMED',
    );
  });

  it('names the unsupported feature with WAV_UNSUPPORTED', () => {
    const data = chunk('data', [0, 0, 0, 0]);
    expectAudioError(
      () => readWav(riff(chunk('fmt ', fmtBody(1, 1, 8000, 8)), data)),
      'WAV_UNSUPPORTED',
      /16 bits/,
    );
    expectAudioError(
      () => readWav(riff(chunk('fmt ', fmtBody(3, 1, 8000, 32)), data)),
      'WAV_UNSUPPORTED',
      /format 3/,
    );
    expectAudioError(
      () => readWav(riff(chunk('fmt ', fmtBody(1, 3, 8000, 16)), data)),
      'WAV_UNSUPPORTED',
      /3 channels/,
    );
    const rifx = writeWav({ encoding: 'pcm16', sampleRate: 8000, samples: new Int16Array(1) });
    rifx.set(ascii('RIFX'), 0);
    expectAudioError(() => readWav(rifx), 'WAV_UNSUPPORTED', /RIFX/);
  });

  it('throws nothing but AudioError on thousands of corrupted files', () => {
    const valid = writeWav({ encoding: 'pcm16', sampleRate: 8000, channels: 2, samples: new Int16Array(64) });
    let s = 12345;
    const next = (): number => (s = (s * 1103515245 + 12345) >>> 0);
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = valid.slice(0, 12 + (next() % (valid.length - 11)));
      for (let k = next() % 6; k >= 0; k--) bytes[next() % bytes.length] = next() & 0xff;
      try {
        const wav = readWav(bytes);
        wavToMonoPcm16(wav);
      } catch (err) {
        expect(err).toBeInstanceOf(AudioError);
      }
    }
  });
});
