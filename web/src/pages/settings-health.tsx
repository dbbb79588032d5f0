// The Settings page's health cards: each dependency's readiness (GET /settings for admins, the
// public /readyz for everyone else) and the last stream errors, each with its Twilio code in words
// — the answer to "why was that call silent" without opening a log.
import { useEffect } from 'preact/hooks';
import { fetchReadiness } from '../api/client.js';
import type { SettingsView } from '../api/types.js';
import { dependencyRows } from '../api/dependency-rows.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import type { Data } from '../components/use-data.js';
import { useData } from '../components/use-data.js';
import { Badge, Empty, ErrorNote, Loading, type Tone, When } from '../components/ui.js';
import { TwilioError } from '../components/twilio-error.js';

const STATE_TONE: Record<string, Tone> = {
  ok: 'ok',
  disabled: 'neutral',
  unconfigured: 'warn',
  error: 'bad',
};

/** /readyz answers only without METRICS_TOKEN and OPS_PORT; its states are what it says then. */
function readyzStates(body: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return body && typeof body.db === 'string' ? body : undefined;
}

export function Health({
  settings,
  useSettings,
}: {
  settings: Data<SettingsView | undefined>;
  /** An admin's page reads GET /settings; anyone else the public /readyz. */
  useSettings: boolean;
}) {
  const { t } = useI18n();
  const ready = useData(() => (useSettings ? Promise.resolve(undefined) : fetchReadiness()), [useSettings]);
  const { reload: reloadReady } = ready;
  const { reload: reloadSettings } = settings;
  useEffect(() => {
    const timer = setInterval(() => {
      reloadReady();
      reloadSettings();
    }, 10_000);
    return () => clearInterval(timer);
  }, [reloadReady, reloadSettings]);
  const states = readyzStates(ready.data?.body);
  const rows = dependencyRows(settings.data, states);
  const ok = settings.data?.ready ?? ready.data?.ok;
  const draining = settings.data?.draining ?? states?.draining === true;
  const capacity = settings.data?.capacity;
  // /readyz kept for the operator (METRICS_TOKEN, or OPS_PORT on the loopback): admins see it here.
  const hidden = !useSettings && ready.data !== undefined && !states;
  return (
    <section class="card" data-card="health">
      <h2>{t.settings.health}</h2>
      {ready.error !== undefined ? <ErrorNote error={ready.error} /> : null}
      {hidden ? (
        <p class="muted">{t.settings.healthForAdmins}</p>
      ) : rows.length === 0 ? (
        <Loading />
      ) : (
        <>
          <p>
            {ok ? (
              <Badge tone="ok">{t.settings.ready}</Badge>
            ) : (
              <Badge tone="bad">{t.settings.notReady}</Badge>
            )}{' '}
            {draining ? <Badge tone="warn">{t.settings.draining}</Badge> : null}
            {settings.data ? (
              <span class="muted small">
                {' '}
                {t.settings.version} <bdi dir="ltr">{settings.data.version}</bdi>
              </span>
            ) : null}
            {capacity ? (
              <span class="muted small" data-capacity={capacity.state}>
                {' · '}
                {t.settings.capacity(capacity.calls, capacity.maxCalls)}
              </span>
            ) : null}
          </p>
          <ul class="deps">
            {rows.map((row) => (
              <li key={row.key} data-dependency={row.key} data-state={row.state}>
                <span class="dep-name">{t.settings.deps[row.key]}</span>
                <Badge tone={STATE_TONE[row.state] ?? 'neutral'}>
                  {t.settings.states[row.state as keyof typeof t.settings.states] ?? row.state}
                </Badge>
                {row.detail ? (
                  <bdi class="muted" dir="ltr">
                    {row.detail}
                  </bdi>
                ) : null}
                {row.state !== 'ok' && row.state !== 'disabled' ? (
                  <p class="muted small">{t.settings.depHelp[row.key]}</p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The last stream errors Twilio reported: when, which call, the code in words. */
export function LastStreamErrors({ settings }: { settings: SettingsView }) {
  const { t } = useI18n();
  const errors = settings.streamErrors;
  return (
    <section class="card" data-card="stream-errors">
      <h2>{t.settings.lastStreamErrors}</h2>
      {errors.length === 0 ? <Empty>{t.settings.noStreamErrors}</Empty> : null}
      <ul class="stream-errors">
        {errors.map((e) => (
          <li key={`${e.callSid}:${e.at}`} data-stream-error={e.twilioCode ?? ''}>
            <p class="count">
              <When iso={e.at} /> ·{' '}
              <Link href={`/calls/${e.callSid}`}>
                <bdi dir="ltr">{e.callSid.slice(0, 12)}…</bdi>
              </Link>
              {e.test ? <Badge tone="neutral">{t.calls.test}</Badge> : null}
            </p>
            {e.twilioCode !== null ? <TwilioError code={e.twilioCode} /> : <p>{t.settings.noCode}</p>}
            {e.message ? (
              <p class="muted small">
                {t.settings.twilioSaid} <bdi dir="ltr">{e.message}</bdi>
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
