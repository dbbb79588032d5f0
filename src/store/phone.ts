// Which caller ids name a person (and so get a CRM contact) and which are placeholders for a
// withheld number. Pure: no I/O.

/**
 * Withheld caller ids. Twilio passes them as words (ANONYMOUS, RESTRICTED, …) and historically
 * as the same words spelled on a phone keypad (+266696687 = ANONYMOUS), per its 2022-11-16
 * changelog "Upcoming changes to withheld caller ID behavior for <Dial> calls".
 */
const WITHHELD = new Set([
  'anonymous',
  'restricted',
  'unavailable',
  'unknown',
  'blocked',
  'private',
  '266696687', // ANONYMOUS
  '7378742833', // RESTRICTED
  '86282452253', // UNAVAILABLE
  '8656696', // UNKNOWN
  '2562533', // BLOCKED
  '7748283', // PRIVATE
]);

/** Longest phone or client/sip identity kept as a contact key. */
export const MAX_PHONE_LENGTH = 256;

/**
 * The contact key for a caller id: trimmed, verbatim otherwise (E.164 as Twilio sends it, or a
 * `client:`/`sip:` identity). Null when there is no caller to remember: empty or withheld, so
 * that every anonymous caller is not merged into one "returning" contact.
 */
export function contactPhoneFor(from: string | null | undefined): string | null {
  const phone = from?.trim() ?? '';
  if (phone === '' || phone.length > MAX_PHONE_LENGTH) return null;
  const bare = phone.toLowerCase().replace(/^\+/, '');
  return WITHHELD.has(bare) ? null : phone;
}
