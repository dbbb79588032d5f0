// `agentlocator twiml <url>`: the TwiML a signed incoming call gets, printed as the server sent it
// (the HTTP status and timing go to stderr). Exit 0 only for a 200 answer that parses as TwiML.
import { newSid, parseTwiml, TwilioEmulator } from '../../emulator/index.js';
import { voiceParams } from '../doctor/twilio-facts.js';
import { parseTarget } from '../target.js';
import { CREDENTIAL_OPTIONS, credentialsFrom, parse, seconds } from './common.js';

export const TWIML_HELP = `agentlocator twiml <public base url | incoming-call URL> [options]

Sends one incoming_call webhook signed exactly as Twilio signs it (fresh CallSid) and prints the
TwiML the server answers.

Options:
  --auth-token <token>   (default: TWILIO_AUTH_TOKEN, then DATA_DIR/local-auth-token)
  --account-sid <AC…>    (default: TWILIO_ACCOUNT_SID)
  --timeout <s>          give up after this long (default 15, Twilio's budget)
  --json                 print {status, ms, contentType, twiml, error}`;

export async function twimlCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, CREDENTIAL_OPTIONS);
  if (values.help) {
    console.log(TWIML_HELP);
    return 0;
  }
  const target = parseTarget(positionals[0]);
  const creds = await credentialsFrom(values);
  const timeoutMs = seconds(values.timeout, 'timeout', 15_000);
  const emulator = new TwilioEmulator({
    authToken: creds.authToken,
    accountSid: creds.accountSid,
    networkMap: target.networkMap,
    webhookTimeoutMs: timeoutMs,
    connectTimeoutMs: Math.min(timeoutMs, 10_000),
  });
  const callSid = newSid('CA');
  const got = await emulator.postSigned(
    target.webhookUrl,
    voiceParams({ accountSid: creds.accountSid, callSid }, 'ringing'),
  );
  await emulator.close();
  const parsed = got.body !== undefined ? parseTwiml(got.body) : undefined;
  const ok = !got.error && got.status === 200 && parsed?.ok === true;
  const error = got.error
    ? `${got.error.code}: ${got.error.message}`
    : got.status !== 200
      ? `HTTP ${got.status}`
      : parsed && !parsed.ok
        ? `${parsed.code}: ${parsed.reason}`
        : undefined;
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          url: target.webhookUrl,
          callSid,
          status: got.status,
          ms: got.ms,
          contentType: got.contentType,
          twiml: got.body,
          ...(error ? { error } : {}),
        },
        null,
        2,
      ),
    );
    return ok ? 0 : 1;
  }
  console.error(
    `POST ${target.webhookUrl} (${callSid}) → ${got.status ?? 'no answer'} in ${got.ms} ms${got.contentType ? `, ${got.contentType}` : ''}`,
  );
  if (got.body !== undefined) process.stdout.write(got.body.endsWith('\n') ? got.body : `${got.body}\n`);
  if (error) console.error(`error: ${error}`);
  return ok ? 0 : 1;
}
