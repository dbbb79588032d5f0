// What an agent hears before taking a call: the caller's number read out in its local groups,
// the topic, the key; a withheld or non-numeric caller is never read out as digits.
import { describe, expect, it } from 'vitest';
import { spokenNumber, whisperText } from '../../src/call/transfer/whisper-text.js';

describe('the whisper', () => {
  it('reads Israeli numbers in their local form, grouped as people say them', () => {
    expect(spokenNumber('+972501234567')).toBe('0 5 0, 1 2 3, 4 5 6 7');
    expect(spokenNumber('+97231234567')).toBe('0 3, 1 2 3, 4 5 6 7');
    expect(spokenNumber('+972771234567')).toBe('0 7 7, 1 2 3, 4 5 6 7');
    // Elsewhere: digits in threes, so a long number is read with pauses.
    expect(spokenNumber('+14155550123')).toBe('1 4 1, 5 5 5, 5 0 1, 2 3');
  });

  it('reads nothing for a withheld caller id or a sip/client identity', () => {
    for (const from of [null, '', 'anonymous', '+266696687', 'client:noa', 'sip:a@b.example.com'])
      expect(spokenNumber(from)).toBeUndefined();
  });

  it('says who calls, about what, and which key takes the call', () => {
    expect(whisperText({ from: '+972501234567', topic: 'מכירות' })).toBe(
      'שיחה מ-0 5 0, 1 2 3, 4 5 6 7, בנושא מכירות. הקישו 1 לקבלת השיחה.',
    );
    expect(whisperText({ from: 'anonymous', topic: null })).toBe('שיחה ממספר חסוי. הקישו 1 לקבלת השיחה.');
  });
});
