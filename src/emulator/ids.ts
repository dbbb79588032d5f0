// Twilio resource identifiers: two-letter prefix + 32 lower-case hex digits (CA call, MZ stream,
// RE recording, AC account).
import { randomBytes } from 'node:crypto';

export type SidPrefix = 'CA' | 'MZ' | 'RE' | 'AC';

export function newSid(prefix: SidPrefix): string {
  return prefix + randomBytes(16).toString('hex');
}

export function isSid(prefix: SidPrefix, value: string): boolean {
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
}
