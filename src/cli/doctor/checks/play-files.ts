// Check 4: every <Play> URL in the TwiML answers 2xx with an audio content type and a body, as
// Twilio fetches it (signed GET). Otherwise Twilio skips it (11200/12300) and the caller hears nothing.
import type { Check, Finding } from '../types.js';
import { ms, twilioError } from '../twilio-facts.js';

export const playFilesCheck: Check = {
  n: 4,
  id: 'play-files',
  title: 'Greeting and <Play> files',
  async run(ctx) {
    const twiml = ctx.facts.twiml;
    if (!twiml) return { summary: 'no TwiML to read', skipped: 'no TwiML (check 2)' };
    const plays = twiml.verbs.flatMap((v) => (v.verb === 'Play' && v.url ? [v.url] : []));
    if (plays.length === 0) {
      const says = twiml.verbs.some((v) => v.verb === 'Say');
      return {
        summary: says
          ? 'no <Play>: the greeting is spoken with <Say> (the MP3 is not rendered yet, or not configured)'
          : 'no <Play> in the TwiML',
      };
    }
    const findings: Finding[] = [];
    const saw: string[] = [];
    for (const raw of new Set(plays)) {
      let url: string;
      try {
        url = new URL(raw, twiml.url).href;
      } catch {
        findings.push({
          severity: 'fail',
          cause: 'play-url-invalid',
          message: `<Play>${raw}</Play> is not a valid URL; Twilio skips it.`,
          twilio: twilioError(11100),
          fix: 'use an absolute https URL',
        });
        continue;
      }
      const got = await ctx.emulator.postSigned(url, {}, 'GET');
      if (got.error) {
        saw.push(`GET ${url}: ${got.error.message}`);
        findings.push({
          severity: 'fail',
          cause: 'play-unreachable',
          message: `Twilio cannot fetch ${url} (${got.error.message}); the caller hears nothing for it.`,
          twilio: twilioError(got.error.code),
          fix: 'serve the file from the same public host, over https',
        });
        continue;
      }
      const status = got.status ?? 0;
      const type = (got.contentType ?? '').split(';')[0]!.trim().toLowerCase();
      saw.push(
        `GET ${url}: ${status} ${got.contentType ?? '(no type)'}, ${got.bytes ?? 0} bytes, ${ms(got.ms)}`,
      );
      if (status < 200 || status > 299) {
        findings.push({
          severity: 'fail',
          cause: 'play-http-status',
          message: `${url} answered HTTP ${status}${got.location ? ` (redirect to ${got.location})` : ''}; Twilio skips the <Play> and the caller hears nothing.`,
          twilio: twilioError(11200),
          fix: 'serve the greeting at that URL (GREETING_FILE, or let the server render it), or fix the URL in the TwiML',
        });
      } else if (!type.startsWith('audio/')) {
        findings.push({
          severity: 'fail',
          cause: 'play-content-type',
          message: `${url} answered Content-Type ${JSON.stringify(got.contentType ?? '(none)')}, not audio; Twilio will not play it.`,
          twilio: twilioError(12300),
          fix: 'serve the file with Content-Type: audio/mpeg (MP3) or audio/wav',
        });
      } else if (!got.bytes) {
        findings.push({
          severity: 'fail',
          cause: 'play-empty',
          message: `${url} answered an empty body; the caller hears nothing.`,
          fix: 'check the greeting file on the server (GREETING_FILE / DATA_DIR)',
        });
      }
    }
    const summary = findings.length
      ? `${findings.length} of ${new Set(plays).size} <Play> file(s) will not play`
      : `${new Set(plays).size} <Play> file(s) answer 200 with audio`;
    return { summary, saw, findings };
  },
};
