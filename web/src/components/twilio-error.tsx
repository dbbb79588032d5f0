// A Twilio error code in words: what it means for this server and what to change, in the page's
// language, with Twilio's own page for the rest.
import { useI18n } from '../i18n/i18n.js';
import { isKnownTwilioCode, twilioDocsUrl, twilioSeverity } from '../twilio-errors.js';

export function TwilioError({ code }: { code: number }) {
  const { t } = useI18n();
  const known = isKnownTwilioCode(code) ? t.twilio[code] : undefined;
  const severity = twilioSeverity(code);
  return (
    <div class={`twilio-error twilio-${severity}`} data-twilio-code={code}>
      <p class="twilio-title">
        <strong>
          {t.twilioUi.code} <bdi dir="ltr">{code}</bdi>
        </strong>{' '}
        · {t.twilioUi.severity[severity]}
        {known ? ` · ${known.title}` : ''}
      </p>
      <p>{known ? known.what : t.twilioUi.unknown}</p>
      {known ? (
        <p>
          <strong>{t.twilioUi.fix}</strong> {known.fix}
        </p>
      ) : null}
      <a href={twilioDocsUrl(code)} target="_blank" rel="noopener noreferrer">
        {t.twilioUi.docs}
      </a>
    </div>
  );
}
