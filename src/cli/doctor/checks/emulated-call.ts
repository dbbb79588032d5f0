// Check 7: a short emulated call through the whole TwiML: the greeting, `start` accepted (the
// server keeps the stream open), every outbound frame valid with the stream's streamSid
// (31951/31950/31924 otherwise), marks echoed, `stop` answered with a clean close, and the
// <Connect action> answering <Record> with an action while the caller is still on the line.
import { parseTwiml, type CallResult } from '../../../emulator/index.js';
import { during, STREAM_START_WAIT_MS, streamStarted } from '../../call/call-control.js';
import type { DoctorContext } from '../context.js';
import type { Check, Finding } from '../types.js';
import { DOCTOR_FROM, DOCTOR_TO, ms, twilioError, voiceParams } from '../twilio-facts.js';
import { analyseCall } from '../call-findings.js';

/** What stream_ended answers while the caller is still on the line: it must be a <Record> voicemail. */
async function voicemailFindings(ctx: DoctorContext, saw: string[]): Promise<Finding[]> {
  const connect = ctx.facts.twiml?.connect;
  if (!connect?.action || !ctx.facts.twiml) return [];
  const actionUrl = new URL(connect.action, ctx.facts.twiml.url).href;
  const got = await ctx.emulator.postSigned(actionUrl, voiceParams(ctx, 'in-progress'), connect.method);
  if (got.error || (got.status ?? 0) < 200 || (got.status ?? 0) > 299) {
    const what = got.error ? got.error.message : `HTTP ${got.status}`;
    return [
      {
        severity: 'fail',
        cause: 'voicemail-http',
        message: `the <Connect action> ${actionUrl} answered ${what} while the caller was on the line: no voicemail, the caller hears an application error.`,
        twilio: twilioError(got.error ? got.error.code : 11200),
        fix: 'serve POST /webhook/stream_ended (signed) answering <Record action="/webhook/handle_recording">',
      },
    ];
  }
  const parsed = parseTwiml(got.body ?? '');
  if (!parsed.ok) {
    return [
      {
        severity: 'fail',
        cause: 'voicemail-http',
        message: `the <Connect action> answered TwiML that does not parse: ${parsed.reason}.`,
        twilio: twilioError(12100),
        fix: 'answer stream_ended with <Response><Say>…</Say><Record action="/webhook/handle_recording"/></Response>',
      },
    ];
  }
  const record = parsed.verbs.find((v) => v.verb === 'Record');
  if (!record) {
    return [
      {
        severity: 'fail',
        cause: 'voicemail-missing',
        message: `when the stream ends with the caller still on the line, ${actionUrl} answers no <Record>: the caller is hung up on without leaving a message.`,
        fix: 'answer stream_ended (CallStatus=in-progress) with <Record action="/webhook/handle_recording">',
      },
    ];
  }
  if (record.verb === 'Record' && !record.action) {
    return [
      {
        severity: 'warn',
        cause: 'voicemail-no-action',
        message: '<Record> has no action: Twilio posts the recording back to stream_ended, which can loop.',
        fix: 'add action="/webhook/handle_recording" to <Record>',
      },
    ];
  }
  saw.push(
    `voicemail: ${new URL(actionUrl).pathname} (in-progress) → <Record action="${record.verb === 'Record' ? record.action : ''}">`,
  );
  return [];
}

export const emulatedCallCheck: Check = {
  n: 7,
  id: 'emulated-call',
  title: 'Emulated call',
  async run(ctx) {
    if (!ctx.facts.streamDialable || !ctx.facts.exactProbe?.ok) {
      return { summary: 'no call placed', skipped: 'the stream cannot open (checks 3 and 5)' };
    }
    const call = ctx.emulator.placeCall({
      webhookUrl: ctx.target.webhookUrl,
      callSid: ctx.callSid,
      statusCallbackUrl: `${ctx.target.origin}/webhook/call_status`,
      from: DOCTOR_FROM,
      to: DOCTOR_TO,
      // A live line: μ-law silence while the caller listens; a 1 s message if it reaches voicemail.
      caller: { silence: true, record: { durationSec: 1 } },
      timeLimitMs: STREAM_START_WAIT_MS + ctx.budgets.callMs + 4 * ctx.budgets.webhookBudgetMs,
    });
    let result: CallResult;
    if (await streamStarted(call)) {
      await during(call, ctx.budgets.callMs);
      result = await call.hangUp();
    } else {
      result = call.isFinished ? await call.done : await call.hangUp();
    }
    const { summary, saw, findings } = analyseCall(result, ctx);
    findings.push(...(await voicemailFindings(ctx, saw)));
    return { summary: `${summary} (${ms(result.durationMs)} in all)`, saw, findings };
  },
};
