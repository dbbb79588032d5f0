// The last stream errors Twilio reported (stream_status callbacks with StreamEvent=stream-error),
// newest first, for the Settings page: which call, when, which Twilio code and Twilio's words.
import type { StreamErrorRecord } from '../crm-store.js';
import type { Db } from './db.js';

/** Twilio's StreamError text is short; anything longer is not what it sent and is cut. */
const MAX_MESSAGE = 300;

/** Twilio's words and the stream, from the detail the stream_status webhook stored. */
function detailOf(detail: string | null): { message: string | null; streamSid: string | null } {
  let parsed: { error?: unknown; streamSid?: unknown } = {};
  try {
    if (detail !== null) parsed = JSON.parse(detail) as typeof parsed;
  } catch {
    // A detail we did not write as JSON says nothing more than the code.
  }
  return {
    message: typeof parsed.error === 'string' ? parsed.error.slice(0, MAX_MESSAGE) : null,
    streamSid: typeof parsed.streamSid === 'string' ? parsed.streamSid : null,
  };
}

export async function recentStreamErrors(db: Db, limit: number): Promise<StreamErrorRecord[]> {
  const n = Math.max(1, Math.min(100, Math.trunc(limit)));
  const rows = await db
    .selectFrom('call_events as e')
    .leftJoin('calls as c', 'c.call_sid', 'e.call_sid')
    .where('e.kind', '=', 'stream-error')
    .orderBy('e.at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(n)
    .select(['e.call_sid', 'e.at', 'e.twilio_code', 'e.detail', 'c.is_test'])
    .execute();
  return rows.map((r) => ({
    callSid: r.call_sid,
    at: new Date(Number(r.at)),
    twilioCode: r.twilio_code === null ? null : Number(r.twilio_code),
    ...detailOf(r.detail),
    isTest: Number(r.is_test ?? 0) === 1,
  }));
}
