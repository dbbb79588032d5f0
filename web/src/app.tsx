// The dashboard's root: asks for the session, shows the login without one, and otherwise the
// page the path names inside the shell.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, onSessionLost, setCsrfToken } from './api/client.js';
import { loadCapabilities, NO_CAPABILITIES, type Capabilities } from './api/capabilities.js';
import type { SessionView, UserView } from './api/types.js';
import { useI18n } from './i18n/i18n.js';
import { SessionContext, type SessionInfo } from './session.js';
import { Shell } from './shell.js';
import { Routes } from './routes.js';
import { LoginPage } from './pages/login.js';
import { ErrorNote, Loading } from './components/ui.js';
import { navigate, useLocation } from './router.js';

type Signed = { user: UserView; csrfToken: string | null };
type SessionState =
  | { kind: 'loading' }
  | { kind: 'none' }
  | { kind: 'error'; error: unknown }
  | { kind: 'in'; session: Signed };

export function App() {
  const { t } = useI18n();
  const { path } = useLocation();
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  const [caps, setCaps] = useState<Capabilities>(NO_CAPABILITIES);

  const signedIn = useCallback((session: SessionView) => {
    if (!session.user) return setState({ kind: 'none' });
    setCsrfToken(session.csrfToken);
    setState({ kind: 'in', session: { user: session.user, csrfToken: session.csrfToken } });
    void loadCapabilities().then(setCaps);
  }, []);

  useEffect(() => {
    onSessionLost(() => {
      setCsrfToken(null);
      setState({ kind: 'none' });
    });
    api.get<SessionView>('/auth/session').then(signedIn, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) setState({ kind: 'none' });
      else setState({ kind: 'error', error: err });
    });
    return () => onSessionLost(null);
  }, [signedIn]);

  const logout = useCallback(async () => {
    try {
      await api.post('/auth/logout');
    } finally {
      setCsrfToken(null);
      setState({ kind: 'none' });
      navigate('/login', { replace: true });
    }
  }, []);

  const info = useMemo<SessionInfo | null>(
    () => (state.kind === 'in' ? { user: state.session.user, caps, logout } : null),
    [state, caps, logout],
  );

  if (state.kind === 'loading') return <Loading />;
  if (state.kind === 'error')
    return (
      <main class="content narrow">
        <h1>{t.app.name}</h1>
        <ErrorNote error={state.error} />
      </main>
    );
  if (state.kind === 'none' || !info) {
    return (
      <LoginPage
        onLogin={(session) => {
          signedIn(session);
          if (path === '/login' || path === '/') navigate('/live', { replace: true });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={info}>
      <Shell>
        <Routes />
      </Shell>
    </SessionContext.Provider>
  );
}
