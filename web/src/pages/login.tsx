// Sign in: username and password to POST /auth/login; the answer is the session (and its cookie).
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/client.js';
import type { SessionView } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { LangSwitch } from '../shell.js';

export function LoginPage({ onLogin }: { onLogin: (session: SessionView) => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      onLogin(await api.post<SessionView>('/auth/login', { username: username.trim(), password }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setProblem(t.login.wrong);
      else if (err instanceof ApiError && err.status === 429) setProblem(t.login.tooMany);
      else if (err instanceof ApiError && err.status === 0) setProblem(t.common.offline);
      else setProblem(t.login.failed);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <div class="login-lang">
        <LangSwitch />
      </div>
      <form class="card login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <div class="brand login-brand">
          <span class="brand-mark" aria-hidden="true" />
          {t.app.name}
        </div>
        <h1 id="login-title">{t.login.title}</h1>
        <p class="muted">{t.login.intro}</p>
        <label class="field">
          <span>{t.login.username}</span>
          <input
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>{t.login.password}</span>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {problem ? (
          <p class="note note-error" role="alert">
            {problem}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.login.signingIn : t.login.submit}
        </button>
        <p class="hint">{t.login.firstLogin}</p>
      </form>
    </main>
  );
}
