// My password (every signed-in user): POST /auth/password with the current and the new one; the
// server ends this user's other sessions. The first admin replaces the generated password here.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorNote } from '../components/ui.js';

export function MyPassword() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setProblem(null);
    setDone(false);
    try {
      await api.post('/auth/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) setProblem(err.message);
      else setError(err);
    }
  };
  return (
    <section class="card">
      <h2>{t.password.title}</h2>
      <form class="form-grid" onSubmit={(e) => void submit(e)}>
        <label class="field">
          <span>{t.password.current}</span>
          <input
            type="password"
            required
            autocomplete="current-password"
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>{t.password.next}</span>
          <input
            type="password"
            required
            minLength={8}
            autocomplete="new-password"
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
        </label>
        <div class="form-buttons">
          <button type="submit" class="primary">
            {t.password.change}
          </button>
          {done ? (
            <span class="saved" role="status">
              {t.password.changed}
            </span>
          ) : null}
        </div>
      </form>
      <p class="hint">{t.password.hint}</p>
      {problem ? (
        <p class="note note-error" role="alert" dir="ltr">
          {problem}
        </p>
      ) : null}
      {error !== undefined ? <ErrorNote error={error} /> : null}
    </section>
  );
}
