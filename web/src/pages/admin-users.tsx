// Users (admins only): who may sign in, with which role; add one, disable or delete one.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { Role, UserView } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { useData } from '../components/use-data.js';
import { Badge, ErrorNote, Loading, When } from '../components/ui.js';

function AddUser({ onAdded }: { onAdded: () => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [agentId, setAgentId] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.post('/users', {
        username,
        password,
        role,
        ...(agentId.trim() ? { agentId: agentId.trim() } : {}),
      });
      setUsername('');
      setPassword('');
      setAgentId('');
      onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="form-grid" onSubmit={(e) => void submit(e)} aria-label={t.users.add}>
      <label class="field">
        <span>{t.login.username}</span>
        <input
          required
          autocomplete="off"
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>{t.login.password}</span>
        <input
          required
          type="password"
          autocomplete="new-password"
          minLength={8}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>{t.users.role}</span>
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          <option value="agent">{t.roles.agent}</option>
          <option value="admin">{t.roles.admin}</option>
        </select>
      </label>
      <label class="field">
        <span>{t.users.agentId}</span>
        <input
          value={agentId}
          placeholder={t.users.agentIdHint}
          onInput={(e) => setAgentId(e.currentTarget.value)}
        />
      </label>
      <div class="form-buttons">
        <button type="submit" class="primary">
          {t.users.add}
        </button>
      </div>
      {error !== undefined ? <ErrorNote error={error} /> : null}
    </form>
  );
}

export function UsersAdmin() {
  const { t } = useI18n();
  const { user: me } = useSession();
  const users = useData(() => api.get<{ users: UserView[] }>('/users'), []);
  const [error, setError] = useState<unknown>(undefined);
  const act = async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
      users.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="card">
      <h2>{t.users.title}</h2>
      {users.error !== undefined ? <ErrorNote error={users.error} /> : null}
      {!users.data && users.loading ? <Loading /> : null}
      {users.data ? (
        <table class="table responsive">
          <thead>
            <tr>
              <th>{t.login.username}</th>
              <th>{t.users.role}</th>
              <th>{t.users.agentId}</th>
              <th>{t.users.created}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.data.users.map((u) => (
              <tr key={u.id}>
                <td data-label={t.login.username}>
                  {u.username} {u.disabled ? <Badge tone="neutral">{t.users.disabled}</Badge> : null}
                </td>
                <td data-label={t.users.role}>{t.roles[u.role]}</td>
                <td data-label={t.users.agentId}>{u.agentId ?? '—'}</td>
                <td data-label={t.users.created}>
                  <When iso={u.createdAt} />
                </td>
                <td class="row-actions">
                  {u.id !== me.id ? (
                    <>
                      <button
                        type="button"
                        onClick={() => void act(() => api.patch(`/users/${u.id}`, { disabled: !u.disabled }))}
                      >
                        {u.disabled ? t.users.enable : t.users.disable}
                      </button>
                      <button
                        type="button"
                        class="danger"
                        onClick={() =>
                          window.confirm(t.users.deleteConfirm(u.username)) &&
                          void act(() => api.del(`/users/${u.id}`))
                        }
                      >
                        {t.common.delete}
                      </button>
                    </>
                  ) : (
                    <span class="muted">{t.users.you}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {error !== undefined ? <ErrorNote error={error} /> : null}
      <h3>{t.users.add}</h3>
      <AddUser onAdded={users.reload} />
    </section>
  );
}
