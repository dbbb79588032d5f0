// readCompact reads what JSON.parse reads, the same way, or says no: checked against JSON.parse on
// literal messages, tricky JSON, and random mutations of real frames.
import { describe, expect, it } from 'vitest';
import { readCompact, Shape } from '../../src/wire/compact-json.js';

const shape = new Shape({
  event: 'string',
  n: 'int',
  media: { track: 'string', payload: 'base64' },
  id: 'string',
});

function read(text: string): (string | number | undefined)[] | false {
  const out = shape.slots();
  return readCompact(text, shape, out) ? out : false;
}

/** What JSON.parse makes of the same text, in slot order, or false where readCompact must refuse. */
function viaJsonParse(text: string): (string | number | undefined)[] | false {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return false;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  const media = r.media as Record<string, unknown> | undefined;
  return [r.event, r.n, media?.track, media?.payload, r.id] as (string | number | undefined)[];
}

const frame =
  '{"event":"media","n":12,"media":{"track":"inbound","chunk":"3","timestamp":"60","payload":"AAECAw=="},"id":"MZ1"}';

describe('readCompact', () => {
  it('reads a compact frame into its slots, skipping unknown fields', () => {
    expect(read(frame)).toEqual(['media', 12, 'inbound', 'AAECAw==', 'MZ1']);
    expect(shape.slot('media.payload')).toBe(3);
  });

  it('reads whitespace between tokens as JSON does', () => {
    expect(read(' { "event" : "media" ,\n"id": "x", "extra": [1] }')).toBe(false); // arrays: JSON.parse's job
    expect(read(' { "event" : "media" ,\n"id": "x", "extra": -1.5e3 } ')).toEqual([
      'media',
      undefined,
      undefined,
      undefined,
      'x',
    ]);
  });

  it('refuses what it cannot read exactly like JSON.parse', () => {
    for (const text of [
      '{"event":"me\\"dia"}', // escapes
      '{"id":"a\u0001b"}', // a control character
      '{"event":"a","event":"b"}', // a repeated key
      '{"media":{"track":"a"},"media":{"payload":"AAAA"}}',
      '{"n":1.5}', // not an integer
      '{"n":"1"}', // a known field of another type
      '{"media":{"payload":"AAA"}}', // not whole base64 groups
      '{"media":{"payload":"AA=A"}}', // padding inside
      '{"media":{"payload":"AA-_"}}', // base64url
      '{"event":"a"} x', // trailing text
      '{"event":"a",}',
      '{"x":01}',
      '{"x":{"y":1}}', // an unknown nested object
      '[1]',
      '',
    ]) {
      expect(read(text), text).toBe(false);
    }
  });

  it('agrees with JSON.parse on thousands of mutated frames', () => {
    const alphabet = '{}[]":,\\ 0123456789.-+eE=/AZaz\u0001tfnul';
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let accepted = 0;
    for (let k = 0; k < 20_000; k++) {
      const chars = [...frame];
      for (let m = rand(3) + 1; m > 0; m--) {
        const at = rand(chars.length);
        const op = rand(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)]!);
        else chars[at] = alphabet[rand(alphabet.length)]!;
      }
      const text = chars.join('');
      const ours = read(text);
      if (ours === false) continue; // refusing is always allowed: the caller falls back to JSON.parse
      accepted += 1;
      const theirs = viaJsonParse(text);
      expect(theirs, text).not.toBe(false);
      // Where we accept, every slot is what JSON.parse read (types included).
      expect(ours, text).toEqual(theirs);
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
