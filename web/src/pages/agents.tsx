// Agents: the people calls are routed to — availability switches (PATCH /agents/:id/status),
// their hours, and who routing would offer a call to right now (GET /agents).
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/client.js';
import type { AgentStatus, AgentView, AgentsList } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { isAdmin, useSession } from '../session.js';
import { useData } from '../components/use-data.js';
import { Badge, Empty, ErrorNote, Loading, PageHeader, Phone } from '../components/ui.js';

const STATUSES: readonly AgentStatus[] = ['available', 'away', 'offline'];

function listOf(body: AgentsList | AgentView[]): AgentsList {
  return Array.isArray(body) ? { items: body } : body;
}

function Hours({ hours }: { hours: Record<string, unknown> | null }) {
  const { t } = useI18n();
  if (!hours || Object.keys(hours).length === 0) return <span class="muted">{t.agents.departmentHours}</span>;
  return (
    <ul class="hours">
      {Object.entries(hours).map(([days, span]) => (
        <li key={days}>
          <span>{t.agents.days[days as keyof typeof t.agents.days] ?? days}</span>{' '}
          <bdi dir="ltr">{Array.isArray(span) ? span.join(', ') : String(span)}</bdi>
        </li>
      ))}
    </ul>
  );
}

function AgentCard({
  agent,
  editable,
  onSaved,
}: {
  agent: AgentView;
  editable: boolean;
  onSaved: (a: AgentView) => void;
}) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const setStatus = async (status: AgentStatus) => {
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api.patch<AgentView | undefined>(`/agents/${encodeURIComponent(agent.id)}/status`, {
        status,
      });
      onSaved(saved && typeof saved === 'object' && 'id' in saved ? saved : { ...agent, status });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="card agent-card" data-agent-id={agent.id}>
      <header class="agent-head">
        <div>
          <h2 dir="auto">{agent.name}</h2>
          <Phone value={agent.phone} />
        </div>
        {agent.eligibleNow === undefined ? null : agent.eligibleNow ? (
          <Badge tone="ok">{t.agents.eligible}</Badge>
        ) : (
          <Badge tone="neutral">{t.agents.notEligible}</Badge>
        )}
      </header>
      {agent.eligibleNow === false && agent.reason ? <p class="muted small">{agent.reason}</p> : null}
      <div class="segmented" role="radiogroup" aria-label={t.agents.availability}>
        {STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            role="radio"
            aria-checked={agent.status === s}
            class={agent.status === s ? `seg seg-${s} on` : `seg seg-${s}`}
            disabled={!editable || busy}
            onClick={() => agent.status !== s && void setStatus(s)}
          >
            {t.agents.status[s]}
          </button>
        ))}
      </div>
      {error !== undefined ? <ErrorNote error={error} /> : null}
      <dl class="facts">
        <div>
          <dt>{t.agents.departments}</dt>
          <dd>{agent.departments.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>{t.agents.languages}</dt>
          <dd>{agent.languages.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>{t.agents.skills}</dt>
          <dd>{agent.skills.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>{t.agents.hours}</dt>
          <dd>
            <Hours hours={agent.hours} />
          </dd>
        </div>
      </dl>
    </article>
  );
}

export function AgentsPage() {
  const { t } = useI18n();
  const { user } = useSession();
  const agents = useData(() => api.get<AgentsList | AgentView[]>('/agents').then(listOf), []);
  const missing = agents.error instanceof ApiError && agents.error.status === 404;
  return (
    <section>
      <PageHeader title={t.agents.title} />
      {missing ? <Empty>{t.agents.unavailable}</Empty> : null}
      {agents.error !== undefined && !missing ? <ErrorNote error={agents.error} /> : null}
      {agents.loading && !agents.data ? <Loading /> : null}
      {agents.data?.readOnly ? <p class="note">{t.agents.readOnly}</p> : null}
      {agents.data && agents.data.items.length === 0 ? <Empty>{t.agents.none}</Empty> : null}
      <div class="agent-grid">
        {agents.data?.items.map((agent) => (
          <AgentCard
            key={agent.id}
            agent={agent}
            // Admins set anyone's availability; an agent user only their own.
            editable={isAdmin(user) || user.agentId === agent.id}
            onSaved={(saved) =>
              agents.data &&
              agents.set({
                ...agents.data,
                items: agents.data.items.map((a) => (a.id === saved.id ? saved : a)),
              })
            }
          />
        ))}
      </div>
    </section>
  );
}
