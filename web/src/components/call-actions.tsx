// Hang up or transfer a live call (POST /calls/:callSid/hangup, /transfer with a department or an
// agent), shown only when the server's API has those routes. The transfer targets come from
// GET /agents: each department once, then each agent by name.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { AgentsList } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { useData } from './use-data.js';
import { transferBody } from '../api/transfer-target.js';
import { ErrorNote } from './ui.js';

function TransferForm({
  path,
  busy,
  run,
}: {
  path: string;
  busy: boolean;
  run: (w: () => Promise<unknown>) => void;
}) {
  const { t } = useI18n();
  const { caps } = useSession();
  const [target, setTarget] = useState('');
  const hasAgents = caps.has('get', '/agents');
  const agents = useData(
    () => (hasAgents ? api.get<AgentsList>('/agents') : Promise.resolve(undefined)),
    [hasAgents],
  );
  const list = agents.data?.agents ?? [];
  const departments = (agents.data?.departments ?? []).map((d) => d.id);
  const body = transferBody(target);
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (body) run(() => api.post(`${path}/transfer`, body));
      }}
    >
      <select
        aria-label={t.live.transferTo}
        value={target}
        onChange={(e) => setTarget(e.currentTarget.value)}
        class="transfer-target"
      >
        <option value="">{t.live.transferTo}</option>
        {departments.length > 0 ? (
          <optgroup label={t.live.departments}>
            {departments.map((d) => (
              <option key={d} value={`department:${d}`}>
                {d}
              </option>
            ))}
          </optgroup>
        ) : null}
        {list.length > 0 ? (
          <optgroup label={t.live.agents}>
            {list.map((a) => (
              <option key={a.id} value={`agent:${a.id}`} disabled={!a.eligibleNow}>
                {a.eligibleNow ? a.name : `${a.name} (${t.agents.status[a.status]})`}
              </option>
            ))}
          </optgroup>
        ) : null}
      </select>
      <button type="submit" disabled={busy || !body}>
        {t.live.transfer}
      </button>
    </form>
  );
}

export function CallActions({ callSid }: { callSid: string }) {
  const { t } = useI18n();
  const { caps } = useSession();
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const canHangUp = caps.has('post', '/calls/:callSid/hangup');
  const canTransfer = caps.has('post', '/calls/:callSid/transfer');
  if (!canHangUp && !canTransfer) return null;

  const run = (work: () => Promise<unknown>, doneText: string) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    work().then(
      () => {
        setDone(doneText);
        setBusy(false);
      },
      (err: unknown) => {
        setError(err);
        setBusy(false);
      },
    );
  };
  const path = `/calls/${encodeURIComponent(callSid)}`;
  return (
    <div class="call-actions" data-call-actions={callSid}>
      {canTransfer ? <TransferForm path={path} busy={busy} run={(w) => run(w, t.live.transferring)} /> : null}
      {canHangUp ? (
        <button
          type="button"
          class="danger hang-up"
          disabled={busy}
          onClick={() => {
            if (window.confirm(t.live.hangUpConfirm)) run(() => api.post(`${path}/hangup`), t.live.hangingUp);
          }}
        >
          {t.live.hangUp}
        </button>
      ) : null}
      {done ? (
        <p class="note small" role="status">
          {done}
        </p>
      ) : null}
      {error !== undefined ? <ErrorNote error={error} /> : null}
    </div>
  );
}
