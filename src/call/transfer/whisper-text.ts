// What the agent hears before taking a call: the caller's number read out digit by digit in the
// local form (+972 50… → 0 5 0, …), what the call is about, and which key accepts. Pure.
import { contactPhoneFor } from '../../store/phone.js';

/** Israeli numbers in their local form, grouped as people say them: 050-123-4567, 03-123-4567. */
function localGroups(digits: string): string[] {
  const local = digits.startsWith('972') ? `0${digits.slice(3)}` : digits;
  const head = local.startsWith('05') || local.startsWith('07') ? 3 : local.startsWith('0') ? 2 : 3;
  const groups = [local.slice(0, head)];
  let rest = local.slice(head);
  while (rest.length > 4) {
    groups.push(rest.slice(0, 3));
    rest = rest.slice(3);
  }
  if (rest) groups.push(rest);
  return groups;
}

/** The number as a text-to-speech voice should read it: single digits, a pause between groups. */
export function spokenNumber(from: string | null): string | undefined {
  const phone = contactPhoneFor(from);
  if (phone === null) return undefined;
  const digits = phone.replace(/^\+/, '');
  if (!/^\d{5,15}$/.test(digits)) return undefined; // sip:… or client:…: not a number to read
  return localGroups(digits)
    .map((g) => g.split('').join(' '))
    .join(', ');
}

export const ACCEPT_KEY = '1';

/** "שיחה מ-0 5 0, …, בנושא מכירות, הקישו 1 לקבלת השיחה". */
export function whisperText(input: { from: string | null; topic: string | null }): string {
  const number = spokenNumber(input.from);
  const who = number ? `שיחה מ-${number}` : 'שיחה ממספר חסוי';
  const about = input.topic ? `, בנושא ${input.topic}` : '';
  return `${who}${about}. הקישו ${ACCEPT_KEY} לקבלת השיחה.`;
}
