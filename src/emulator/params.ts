// The form parameters Twilio sends with every voice request ("standard request parameters"), and
// the date formats its callbacks use. Pure.
import { isTerminalStatus } from '../twilio/call-status.js';

export interface CallIdentity {
  accountSid: string;
  callSid: string;
  from: string;
  to: string;
  callerName?: string;
}

/** E.164 prefix → ISO country, for the FromCountry/ToCountry family (longest prefix wins). */
const COUNTRY_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['+972', 'IL'],
  ['+44', 'GB'],
  ['+49', 'DE'],
  ['+33', 'FR'],
  ['+39', 'IT'],
  ['+34', 'ES'],
  ['+31', 'NL'],
  ['+61', 'AU'],
  ['+91', 'IN'],
  ['+1', 'US'],
];

export function countryOf(number: string): string {
  return COUNTRY_PREFIXES.find(([prefix]) => number.startsWith(prefix))?.[1] ?? '';
}

/**
 * Twilio's standard voice parameters. Geographic fields Twilio cannot resolve are sent as empty
 * strings, as Twilio does, so a signature check over "all params" sees the same set.
 */
export function standardParams(call: CallIdentity, callStatus: string): Record<string, string> {
  const fromCountry = countryOf(call.from);
  const toCountry = countryOf(call.to);
  const params: Record<string, string> = {
    AccountSid: call.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.callSid,
    CallStatus: callStatus,
    Called: call.to,
    CalledCity: '',
    CalledCountry: toCountry,
    CalledState: '',
    CalledZip: '',
    Caller: call.from,
    CallerCity: '',
    CallerCountry: fromCountry,
    CallerState: '',
    CallerZip: '',
    Direction: 'inbound',
    From: call.from,
    FromCity: '',
    FromCountry: fromCountry,
    FromState: '',
    FromZip: '',
    To: call.to,
    ToCity: '',
    ToCountry: toCountry,
    ToState: '',
    ToZip: '',
  };
  if (call.callerName !== undefined) params.CallerName = call.callerName;
  return params;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** RFC 2822 in GMT, as Twilio writes call Timestamps and REST dates: "Mon, 16 Aug 2010 03:45:01 +0000". */
export function rfc2822(date: Date): string {
  return (
    `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ` +
    `${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:` +
    `${pad(date.getUTCSeconds())} +0000`
  );
}

/**
 * A call status callback's parameters: the standard ones plus SequenceNumber, an RFC 2822
 * Timestamp and CallbackSource; terminal statuses add CallDuration (s), Duration (min) and the
 * SIP response code.
 */
export function statusCallbackParams(
  call: CallIdentity,
  status: string,
  sequenceNumber: number,
  startTime: Date,
): Record<string, string> {
  const params: Record<string, string> = {
    ...standardParams(call, status),
    SequenceNumber: String(sequenceNumber),
    Timestamp: rfc2822(new Date()),
    CallbackSource: 'call-progress-events',
  };
  if (isTerminalStatus(status)) {
    const seconds = Math.round((Date.now() - startTime.getTime()) / 1000);
    params.CallDuration = String(seconds);
    params.Duration = String(Math.max(1, Math.ceil(seconds / 60)));
    params.SipResponseCode = status === 'completed' ? '200' : status === 'busy' ? '486' : '487';
  }
  return params;
}
