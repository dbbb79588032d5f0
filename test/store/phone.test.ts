// Which caller ids become CRM contacts.
import { describe, expect, it } from 'vitest';
import { contactPhoneFor } from '../../src/store/phone.js';

describe('contactPhoneFor', () => {
  it('keeps E.164 numbers and client/sip identities, trimmed', () => {
    expect(contactPhoneFor('+972501234567')).toBe('+972501234567');
    expect(contactPhoneFor('  +14155550123 ')).toBe('+14155550123');
    expect(contactPhoneFor('client:alice')).toBe('client:alice');
    expect(contactPhoneFor('sip:bob@example.com')).toBe('sip:bob@example.com');
  });

  it('gives no contact for empty or withheld caller ids, in words or keypad digits', () => {
    for (const from of [
      null,
      undefined,
      '',
      '   ',
      'anonymous',
      'Anonymous',
      'RESTRICTED',
      'unavailable',
      '+266696687',
      '266696687',
      '+7378742833',
      '+86282452253',
      '+8656696',
      '+2562533',
    ]) {
      expect(contactPhoneFor(from)).toBeNull();
    }
  });

  it('gives no contact for an absurdly long caller id', () => {
    expect(contactPhoneFor(`+${'1'.repeat(300)}`)).toBeNull();
  });
});
