// Settings and health: each dependency's readiness (/readyz), the public host the TwiML gives
// Twilio, the stream errors of the last days by Twilio code — the answer to "why was that call
// silent" without a log — and, for admins, users and API keys.
import { useEffect } from 'preact/hooks';
import { api, fetchReadiness } from '../api/client.js';
import type { SettingsView, StatsView } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { localDate } from '../format/time.js';
import { isAdmin, useSession } from '../session.js';
import { useData } from '../components/use-data.js';
import { Badge, Empty, ErrorNote, Loading, PageHeader, type Tone } from '../components/ui.js';
import { TwilioError } from '../components/twilio-error.js';
import { UsersAdmin } from './admin-users.js';
import { ApiKeysAdmin } from './admin-keys.js';
import { MyPassword } from './my-password.js';

const STATE_TONE: Record<string, Tone> = {
  ok: 'ok',
  disabled: 'neutral',
  unconfigured: 'warn',
  error: 'bad',
};
const DEPENDENCIES = ['db', 'agent', 'twilio', 'redis'] as const;
const ERROR_DAYS = 7;

function Health() {
  const { t } = useI18n();
  const ready = useData(fetchReadiness, []);
  useEffect(() => {
    const timer = setInterval(ready.reload, 10_000);
    return () => clearInterval(timer);
  }, [ready.reload]);
  return (
    <section class="card">
      <h2>{t.settings.health}</h2>
      {ready.error !== undefined ? <ErrorNote error={ready.error} /> : null}
      {!ready.data ? (
        <Loading />
      ) : (
        <>
          <p>
            {ready.data.ok ? (
              <Badge tone="ok">{t.settings.ready}</Badge>
            ) : (
              <Badge tone="bad">{t.settings.notReady}</Badge>
            )}
            {ready.data.body.draining ? <Badge tone="warn">{t.settings.draining}</Badge> : null}
          </p>
          <ul class="deps">
            {DEPENDENCIES.map((dep) => {
              const state = String(ready.data?.body[dep] ?? 'unknown');
              return (
                <li key={dep} data-dependency={dep}>
                  <span class="dep-name">{t.settings.deps[dep]}</span>
                  <Badge tone={STATE_TONE[state] ?? 'neutral'}>
                    {t.settings.states[state as keyof typeof t.settings.states] ?? state}
                  </Badge>
                  {dep === 'agent' && typeof ready.data?.body.agentKind === 'string' ? (
                    <span class="muted">{ready.data.body.agentKind}</span>
                  ) : null}
                  {state !== 'ok' && state !== 'disabled' ? (
                    <p class="muted small">{t.settings.depHelp[dep]}</p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

function PublicHost() {
  const { t, setTimeZone } = useI18n();
  const { caps } = useSession();
  const available = caps.has('get', '/settings');
  const settings = useData(
    () => (available ? api.get<SettingsView>('/settings') : Promise.resolve(undefined)),
    [available],
  );
  useEffect(() => {
    if (settings.data?.timezone) setTimeZone(settings.data.timezone);
  }, [settings.data, setTimeZone]);
  const s = settings.data;
  return (
    <section class="card">
      <h2>{t.settings.twiml}</h2>
      {settings.error !== undefined ? <ErrorNote error={settings.error} /> : null}
      {!available ? <p class="muted">{t.settings.noSettings(window.location.host)}</p> : null}
      {s ? (
        <dl class="facts">
          <div>
            <dt>{t.settings.publicHost}</dt>
            <dd>
              {s.publicHost ? (
                <code dir="ltr">{s.publicHost}</code>
              ) : (
                <span>{t.settings.fromHostHeader}</span>
              )}
            </dd>
          </div>
          {s.streamUrl ? (
            <div>
              <dt>{t.settings.streamUrl}</dt>
              <dd>
                <code dir="ltr">{s.streamUrl}</code>
              </dd>
            </div>
          ) : null}
          {s.webhookUrl ? (
            <div>
              <dt>{t.settings.webhookUrl}</dt>
              <dd>
                <code dir="ltr">{s.webhookUrl}</code>
              </dd>
            </div>
          ) : null}
          <div>
            <dt>{t.settings.timezone}</dt>
            <dd>
              <code dir="ltr">{s.timezone}</code>
            </dd>
          </div>
        </dl>
      ) : null}
      {s && !s.publicHost ? <p class="note">{t.settings.setPublicHost}</p> : null}
    </section>
  );
}

function StreamErrors() {
  const { t, timeZone } = useI18n();
  const stats = useData(() => {
    const now = Date.now();
    return api.get<StatsView>('/stats', {
      from: localDate(now - ERROR_DAYS * 86_400_000, timeZone),
      to: localDate(now, timeZone),
    });
  }, [timeZone]);
  const errors = stats.data?.streamErrors ?? [];
  return (
    <section class="card">
      <h2>{t.settings.streamErrors(ERROR_DAYS)}</h2>
      {stats.error !== undefined ? <ErrorNote error={stats.error} /> : null}
      {stats.loading && !stats.data ? <Loading /> : null}
      {stats.data && errors.length === 0 ? <Empty>{t.settings.noStreamErrors}</Empty> : null}
      <ul class="stream-errors">
        {errors.map((e) => (
          <li key={String(e.code)}>
            <p class="count">{t.settings.times(e.count)}</p>
            {e.code !== null ? <TwilioError code={e.code} /> : <p>{t.settings.noCode}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SettingsPage() {
  const { t } = useI18n();
  const { user } = useSession();
  return (
    <section class="settings">
      <PageHeader title={t.settings.title} />
      <div class="settings-grid">
        <Health />
        <PublicHost />
        <StreamErrors />
      </div>
      <div class="settings-grid">
        {isAdmin(user) ? <UsersAdmin /> : null}
        {isAdmin(user) ? <ApiKeysAdmin /> : null}
        <MyPassword />
      </div>
    </section>
  );
}
