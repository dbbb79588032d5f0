// Ids for recordings the server makes itself, shaped like Twilio's RE… sids (LC + 32 hex) so
// local WAVs and Twilio voicemails live in one table without clashing.
import { randomBytes } from 'node:crypto';

export function localRecordingSid(): string {
  return `LC${randomBytes(16).toString('hex')}`;
}
