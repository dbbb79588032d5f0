// Hang up or transfer a live call, shown only when the server's API has those routes.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { ErrorNote } from './ui.js';

export function CallActions({ callSid }: { callSid: string }) {
  const { t } = useI18n();
  const { caps } = useSession();
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [target, setTarget] = useState('');
  const canHangUp = caps.has('post', '/calls/:callSid/hangup');
  const canTransfer = caps.has('post', '/calls/:callSid/transfer');
  if (!canHangUp && !canTransfer) return null;

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const path = `/calls/${encodeURIComponent(callSid)}`;
  return (
    <div class="call-actions">
      {canTransfer ? (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (target.trim()) void run(() => api.post(`${path}/transfer`, { to: target.trim() }));
          }}
        >
          <input
            aria-label={t.live.transferTo}
            placeholder={t.live.transferTo}
            value={target}
            onInput={(e) => setTarget(e.currentTarget.value)}
          />
          <button type="submit" disabled={busy || !target.trim()}>
            {t.live.transfer}
          </button>
        </form>
      ) : null}
      {canHangUp ? (
        <button
          type="button"
          class="danger"
          disabled={busy}
          onClick={() => {
            if (window.confirm(t.live.hangUpConfirm)) void run(() => api.post(`${path}/hangup`));
          }}
        >
          {t.live.hangUp}
        </button>
      ) : null}
      {error !== undefined ? <ErrorNote error={error} /> : null}
    </div>
  );
}
