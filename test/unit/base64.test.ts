// isBase64 accepts exactly padded standard base64 (the strings Buffer's encoder produces and
// nothing else that could break the JSON text it is pasted into); base64Bytes counts without decoding.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { base64Bytes, isBase64 } from '../../src/base64.js';

const reference = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);

describe('isBase64', () => {
  it('accepts what Buffer encodes, of every length', () => {
    for (let n = 0; n < 300; n++) expect(isBase64(randomBytes(n).toString('base64'))).toBe(true);
  });

  it.each([
    ['AA==', true],
    ['AAA=', true],
    ['', true],
    ['A===', false],
    ['AA=A', false],
    ['=AAA', false],
    ['AAA', false],
    ['AA"}', false],
    ['AA\\u', false],
    ['AA-_', false], // base64url is not what Twilio or OpenAI send
    ['AAA\n', false],
    ['AAAé', false],
  ])('%j → %s', (s, ok) => {
    expect(isBase64(s)).toBe(ok);
  });

  it('agrees with the full-alphabet match on random strings over base64 and a few others', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=="\\- é';
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor(Math.random() * 12);
      let s = '';
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
      expect(isBase64(s), JSON.stringify(s)).toBe(reference(s));
    }
  });
});

describe('base64Bytes', () => {
  it('counts the bytes a padded string decodes to', () => {
    for (let n = 0; n < 50; n++) expect(base64Bytes(randomBytes(n).toString('base64'))).toBe(n);
  });
});
