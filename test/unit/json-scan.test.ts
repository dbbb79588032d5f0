// The scanned fast paths for Twilio media frames and Realtime audio deltas must give exactly what
// the JSON.parse path gives, for any text. Differential: a leading space defeats the scan (it
// expects the sender's exact shape) but not JSON.parse, so parse(' ' + text) is the reference.
import { describe, expect, it } from 'vitest';
import {
  encodeInboundMark,
  encodeInboundMedia,
  parseInbound,
  scanMark,
  scanMedia,
} from '../../src/twilio/stream-messages.js';
import { parseServerEvent, scanAudioDelta } from '../../src/agents/openai-realtime/server-events.js';
import { plainStringEnd, smallIntegerEnd } from '../../src/json-scan.js';

const PAYLOAD = Buffer.alloc(160, 0xd5).toString('base64');
// As Twilio writes it (a logged frame from a live call has exactly this field order).
const MEDIA = `{"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"155","payload":"${PAYLOAD}"},"streamSid":"MZ5174584e1127285e2b015e720b3d9e68"}`;
// As Twilio documents it, and as the emulator writes it.
const MARK = `{"event":"mark","sequenceNumber":"4","streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0","mark":{"name":"g0:100:1"}}`;
// As the Realtime API writes it (GA and beta names).
const DELTA_GA = `{"type":"response.output_audio.delta","event_id":"event_AIu0Qc68KtxOeLBm8g42y","response_id":"resp_AIu0Pm662MQ8x9rgeknwz","item_id":"item_AIu0Po4sOqSLFWpGNEsvY","output_index":0,"content_index":0,"delta":"${PAYLOAD}"}`;
const DELTA_BETA = DELTA_GA.replace('response.output_audio.delta', 'response.audio.delta');

/** Seeded, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// Characters that matter to JSON or to the scan: quotes, escapes, control characters, digits,
// structure, number syntax, non-ASCII, base64 and its padding.
const INTERESTING = [
  '\\',
  '"',
  ' ',
  '\n',
  '\u0001',
  '0',
  '1',
  '9',
  '}',
  '{',
  ',',
  ':',
  '.',
  'e',
  '-',
  'é',
  'A',
  '=',
  '+',
  '/',
];

function mutate(text: string, rnd: () => number): string {
  let t = text;
  const edits = 1 + Math.floor(rnd() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (t.length + 1));
    const ch = INTERESTING[Math.floor(rnd() * INTERESTING.length)]!;
    const kind = rnd();
    if (kind < 0.4) t = t.slice(0, at) + ch + t.slice(at + 1);
    else if (kind < 0.7) t = t.slice(0, at) + ch + t.slice(at);
    else if (kind < 0.9) t = t.slice(0, at) + t.slice(at + 1);
    else t = t.slice(0, at);
  }
  return t;
}

/** What JSON.parse makes of a text the scan accepted (deltas: the type under its GA name). */
type Expected = (text: string) => unknown;
const asParsed: Expected = (text) => JSON.parse(text);
const asGaDelta: Expected = (text) => ({ ...JSON.parse(text), type: 'response.output_audio.delta' });

/** Each text is scanned, as JSON.parse reads it, and parses exactly as on the JSON.parse path. */
function expectScanned(
  texts: string[],
  scan: (t: string) => unknown,
  parse: (t: string) => unknown,
  expected: Expected,
) {
  for (const text of texts) {
    const scanned = scan(text);
    expect(scanned, text).toBeDefined();
    expect(scanned).toStrictEqual(expected(text));
    expect(parse(text)).toStrictEqual(parse(` ${text}`));
  }
}

/**
 * 20,000 mutations of the texts: whatever the scan accepts is what JSON.parse reads, and every
 * text parses exactly as on the JSON.parse path. Mutations that keep a text valid (a digit for a
 * digit) must still take the fast path, or the test proves nothing.
 */
function expectSameAsJsonParse(
  texts: string[],
  seed: number,
  scan: (t: string) => unknown,
  parse: (t: string) => unknown,
  expected: Expected,
) {
  const rnd = random(seed);
  let scanned = 0;
  for (let i = 0; i < 20_000; i++) {
    const text = mutate(texts[i % texts.length]!, rnd);
    const fast = scan(text);
    if (fast) {
      scanned += 1;
      expect(fast, text).toStrictEqual(expected(text));
    }
    expect(parse(text), text).toStrictEqual(parse(` ${text}`));
  }
  expect(scanned).toBeGreaterThan(1_000);
}

describe('Twilio media frames read without JSON.parse', () => {
  it('reads the frame as Twilio and the emulator write it, as JSON.parse would', () => {
    const emulated = encodeInboundMedia({
      sequenceNumber: 7,
      streamSid: 'MZabc',
      chunk: 6,
      timestampMs: 120,
      payload: PAYLOAD,
    });
    expectScanned([MEDIA, emulated], scanMedia, parseInbound, asParsed);
  });

  it('leaves everything else to JSON.parse, with the same outcome (20,000 mutated frames)', () => {
    expectSameAsJsonParse([MEDIA], 20261124, scanMedia, parseInbound, asParsed);
  });

  it('never scans a frame JSON.parse would refuse or read differently', () => {
    for (const text of [
      MEDIA.replace('"chunk":"1"', '"chunk":"\\u0031"'), // an escape: same value, JSON.parse's job
      MEDIA.replace('"track":"inbound"', '"track":"in\u0001bound"'), // raw control character: not JSON
      MEDIA.replace(PAYLOAD, `${PAYLOAD.slice(0, -4)}AA\\/`), // escaped slash in the payload
      MEDIA.replace('"MZ5174', '"MZ"5174'),
      `${MEDIA} `,
      `${MEDIA}}`,
      MEDIA.slice(0, -1),
      MEDIA.replace('"sequenceNumber":"2"', '"sequenceNumber":2'),
    ]) {
      expect(scanMedia(text), text).toBeUndefined();
      expect(parseInbound(text)).toStrictEqual(parseInbound(` ${text}`));
    }
  });
});

describe('Twilio mark echoes read without JSON.parse', () => {
  it('reads the mark as Twilio and the emulator write it, as JSON.parse would', () => {
    const emulated = encodeInboundMark({ sequenceNumber: 9, streamSid: 'MZabc', name: 'g1:2.5:3' });
    expectScanned([MARK, emulated], scanMark, parseInbound, asParsed);
  });

  it('leaves everything else to JSON.parse, with the same outcome (20,000 mutated marks)', () => {
    expectSameAsJsonParse([MARK], 7, scanMark, parseInbound, asParsed);
  });
});

describe('Realtime audio deltas read without JSON.parse', () => {
  it('reads the GA and beta deltas as the Realtime API writes them, as JSON.parse would', () => {
    expectScanned([DELTA_GA, DELTA_BETA], scanAudioDelta, parseServerEvent, asGaDelta);
  });

  it('leaves everything else to JSON.parse, with the same outcome (20,000 mutated deltas)', () => {
    expectSameAsJsonParse([DELTA_GA, DELTA_BETA], 42, scanAudioDelta, parseServerEvent, asGaDelta);
  });

  it('reads the indexes as JSON does, and leaves other numbers to JSON.parse', () => {
    const at = (o: string, c: string) =>
      DELTA_GA.replace('"output_index":0', `"output_index":${o}`).replace(
        '"content_index":0',
        `"content_index":${c}`,
      );
    expect(scanAudioDelta(at('12', '3'))).toMatchObject({ output_index: 12, content_index: 3 });
    expect(scanAudioDelta(at('999999999999999', '0'))).toMatchObject({ output_index: 999_999_999_999_999 });
    for (const [o, c] of [
      ['01', '0'],
      ['0', '-1'],
      ['1.0', '0'],
      ['1e2', '0'],
      ['0', '9999999999999999'],
      ['"0"', '0'],
    ]) {
      expect(scanAudioDelta(at(o!, c!)), `${o} ${c}`).toBeUndefined();
      expect(parseServerEvent(at(o!, c!))).toStrictEqual(parseServerEvent(` ${at(o!, c!)}`));
    }
  });
});

describe('json-scan primitives', () => {
  it('finds the end of a plain string, refusing escapes and control characters', () => {
    expect(plainStringEnd('abc"', 0)).toBe(3);
    expect(plainStringEnd('"', 0)).toBe(0);
    expect(plainStringEnd('é"', 0)).toBe(1);
    expect(plainStringEnd('a\\"b"', 0)).toBe(-1);
    expect(plainStringEnd('a\tb"', 0)).toBe(-1);
    expect(plainStringEnd('abc', 0)).toBe(-1);
  });

  it('finds the end of a small non-negative integer', () => {
    expect(smallIntegerEnd('0,', 0)).toBe(1);
    expect(smallIntegerEnd('120,', 0)).toBe(3);
    expect(smallIntegerEnd('-1,', 0)).toBe(-1);
    expect(smallIntegerEnd(',', 0)).toBe(-1);
    expect(smallIntegerEnd('1234567890123456', 0)).toBe(-1);
    expect(smallIntegerEnd('123456789012345', 0)).toBe(15);
  });
});
