// API keys (admins only): keys for integrations; a new key is shown once, then only its prefix.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { ApiKeyView, CreatedApiKey } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { useData } from '../components/use-data.js';
import { Badge, ErrorNote, Loading, When } from '../components/ui.js';

export function ApiKeysAdmin() {
  const { t } = useI18n();
  const keys = useData(() => api.get<{ apiKeys: ApiKeyView[] }>('/api-keys'), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      setCreated(await api.post<CreatedApiKey>('/api-keys', { name: name.trim() }));
      setName('');
      keys.reload();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (key: ApiKeyView) => {
    if (!window.confirm(t.keys.revokeConfirm(key.name))) return;
    setError(undefined);
    try {
      await api.del(`/api-keys/${key.id}`);
      keys.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="card">
      <h2>{t.keys.title}</h2>
      <p class="muted">{t.keys.intro}</p>
      {created ? (
        <div class="note note-ok" role="status">
          <p>{t.keys.shownOnce}</p>
          <code class="secret" dir="ltr">
            {created.key}
          </code>
        </div>
      ) : null}
      {keys.error !== undefined ? <ErrorNote error={keys.error} /> : null}
      {!keys.data && keys.loading ? <Loading /> : null}
      {keys.data && keys.data.apiKeys.length > 0 ? (
        <table class="table responsive">
          <thead>
            <tr>
              <th>{t.keys.name}</th>
              <th>{t.keys.prefix}</th>
              <th>{t.keys.created}</th>
              <th>{t.keys.lastUsed}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.data.apiKeys.map((k) => (
              <tr key={k.id}>
                <td data-label={t.keys.name} dir="auto">
                  {k.name}
                </td>
                <td data-label={t.keys.prefix}>
                  <code dir="ltr">{k.prefix}…</code>
                </td>
                <td data-label={t.keys.created}>
                  <When iso={k.createdAt} />
                </td>
                <td data-label={t.keys.lastUsed}>
                  <When iso={k.lastUsedAt} />
                </td>
                <td class="row-actions">
                  {k.revokedAt ? (
                    <Badge tone="neutral">{t.keys.revoked}</Badge>
                  ) : (
                    <button type="button" class="danger" onClick={() => void revoke(k)}>
                      {t.keys.revoke}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form class="inline-form" onSubmit={(e) => void create(e)}>
        <input
          required
          aria-label={t.keys.name}
          placeholder={t.keys.namePlaceholder}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit" class="primary">
          {t.keys.create}
        </button>
      </form>
      {error !== undefined ? <ErrorNote error={error} /> : null}
    </section>
  );
}
