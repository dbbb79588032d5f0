// Settings and health: each dependency's readiness, the public host the TwiML gives Twilio, the
// last stream errors (GET /settings, admins) and the counts by Twilio code of the last days
// (GET /stats) — the answer to "why was that call silent" without a log — and, for admins, users
// and API keys.
import { useEffect } from 'preact/hooks';
import { api } from '../api/client.js';
import type { SettingsView, StatsView } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { localDate } from '../format/time.js';
import { isAdmin, useSession } from '../session.js';
import { useData, type Data } from '../components/use-data.js';
import { Badge, Empty, ErrorNote, Loading, PageHeader } from '../components/ui.js';
import { TwilioError } from '../components/twilio-error.js';
import { UsersAdmin } from './admin-users.js';
import { ApiKeysAdmin } from './admin-keys.js';
import { MyPassword } from './my-password.js';
import { Health, LastStreamErrors } from './settings-health.js';

const ERROR_DAYS = 7;

function PublicHost({ settings }: { settings: Data<SettingsView | undefined> }) {
  const { t } = useI18n();
  const s = settings.data;
  return (
    <section class="card" data-card="twiml">
      <h2>{t.settings.twiml}</h2>
      {settings.error !== undefined ? <ErrorNote error={settings.error} /> : null}
      {!s && !settings.loading ? <p class="muted">{t.settings.noSettings(window.location.host)}</p> : null}
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
          <div>
            <dt>{t.settings.recording}</dt>
            <dd>{s.recordCalls ? t.settings.on : t.settings.off}</dd>
          </div>
        </dl>
      ) : null}
      {s && !s.publicHost ? <p class="note">{t.settings.setPublicHost}</p> : null}
    </section>
  );
}

function StreamErrorCounts() {
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
    <section class="card" data-card="stream-error-counts">
      <h2>{t.settings.streamErrors(ERROR_DAYS)}</h2>
      {stats.error !== undefined ? <ErrorNote error={stats.error} /> : null}
      {stats.loading && !stats.data ? <Loading /> : null}
      {stats.data && errors.length === 0 ? <Empty>{t.settings.noStreamErrors}</Empty> : null}
      <ul class="stream-errors">
        {errors.map((e) => (
          <li key={String(e.code)}>
            <p class="count">
              <Badge tone="warn">{t.settings.times(e.count)}</Badge>
            </p>
            {e.code !== null ? <TwilioError code={e.code} /> : <p>{t.settings.noCode}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SettingsPage() {
  const { t, setTimeZone } = useI18n();
  const { user, caps } = useSession();
  // Admins only: an agent user reads the public /readyz instead of getting a 403.
  const available = isAdmin(user) && caps.has('get', '/settings');
  const settings = useData(
    () => (available ? api.get<SettingsView>('/settings') : Promise.resolve(undefined)),
    [available],
  );
  useEffect(() => {
    if (settings.data?.timezone) setTimeZone(settings.data.timezone);
  }, [settings.data?.timezone, setTimeZone]);
  return (
    <section class="settings">
      <PageHeader title={t.settings.title} />
      <div class="settings-grid">
        <Health settings={settings} useSettings={available} />
        {isAdmin(user) ? <PublicHost settings={settings} /> : null}
        {settings.data ? <LastStreamErrors settings={settings.data} /> : null}
        <StreamErrorCounts />
      </div>
      <div class="settings-grid">
        {isAdmin(user) ? <UsersAdmin /> : null}
        {isAdmin(user) ? <ApiKeysAdmin /> : null}
        <MyPassword />
      </div>
    </section>
  );
}
