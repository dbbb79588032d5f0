// Agents: the people calls are routed to — availability switches (PATCH /agents/:id/status),
// their hours, their calls in progress, and who routing would offer a call to right now, with the
// reason for everyone it would not (GET /agents, refreshed while the page is open).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client.js';
import { AGENT_STATUSES, type AgentStatus, type AgentView, type AgentsList } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { isAdmin, useSession } from '../session.js';
import { useData } from '../components/use-data.js';
import { Badge, Empty, ErrorNote, Loading, PageHeader, Phone } from '../components/ui.js';
import { AddAgent, AddDepartment, RemoveAgent } from './agents-admin.js';

/** Eligibility moves with the clock (hours) and with calls (lines in use). */
const REFRESH_MS = 15_000;

/** `sun-thu 09:00-18:00` as the server words it; `always` and none in the page's language. */
function Hours({ text, own }: { text: string; own: boolean }) {
  const { t } = useI18n();
  if (!own) return <span class="muted">{t.agents.departmentHours}</span>;
  if (text === 'always') return <span>{t.agents.always}</span>;
  return <bdi dir="ltr">{text}</bdi>;
}

function Departments({ departments }: { departments: AgentsList['departments'] }) {
  const { t } = useI18n();
  if (departments.length === 0) return null;
  return (
    <section class="card departments" data-card="departments">
      <h2>{t.agents.departments}</h2>
      <ul class="deps">
        {departments.map((d) => (
          <li key={d.id} data-department={d.id} data-now={d.now}>
            <span class="dep-name" dir="auto">
              {d.id}
            </span>
            <Badge tone={d.now === 'open' ? 'ok' : 'neutral'}>
              {t.agents.departmentNow[d.now as keyof typeof t.agents.departmentNow] ?? d.now}
            </Badge>
            <Hours text={d.hoursText} own />
          </li>
        ))}
      </ul>
    </section>
  );
}

function AvailabilitySwitch({
  agent,
  editable,
  onSaved,
}: {
  agent: AgentView;
  editable: boolean;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const setStatus = async (status: AgentStatus) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.patch(`/agents/${encodeURIComponent(agent.id)}/status`, { status });
      // Eligibility is the server's to work out (hours, lines): read it back rather than guess.
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div class="segmented" role="radiogroup" aria-label={t.agents.availability}>
        {AGENT_STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            role="radio"
            aria-checked={agent.status === s}
            data-status={s}
            class={agent.status === s ? `seg seg-${s} on` : `seg seg-${s}`}
            disabled={!editable || busy}
            onClick={() => agent.status !== s && void setStatus(s)}
          >
            {t.agents.status[s]}
          </button>
        ))}
      </div>
      {error !== undefined ? <ErrorNote error={error} /> : null}
    </>
  );
}

function AgentCard({
  agent,
  editable,
  removable,
  onSaved,
}: {
  agent: AgentView;
  editable: boolean;
  removable: boolean;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  return (
    <article
      class="card agent-card"
      data-agent-id={agent.id}
      data-eligible={String(agent.eligibleNow)}
      data-status={agent.status}
    >
      <header class="agent-head">
        <div>
          <h2 dir="auto">{agent.name}</h2>
          <Phone value={agent.phone} />
        </div>
        {agent.eligibleNow ? (
          <Badge tone="ok">{t.agents.eligible}</Badge>
        ) : (
          <Badge tone="neutral">{t.agents.notEligible}</Badge>
        )}
      </header>
      {!agent.eligibleNow && agent.whyNot ? (
        <p class="muted small why-not" dir="auto">
          {agent.whyNot}
        </p>
      ) : null}
      <AvailabilitySwitch agent={agent} editable={editable} onSaved={onSaved} />
      <dl class="facts">
        <div>
          <dt>{t.agents.departments}</dt>
          <dd dir="auto">{agent.departments.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>{t.agents.lines}</dt>
          <dd>
            <bdi dir="ltr">
              {agent.liveCalls} / {agent.maxCalls}
            </bdi>
          </dd>
        </div>
        <div>
          <dt>{t.agents.hours}</dt>
          <dd>
            <Hours text={agent.hoursText} own={agent.hours !== null} />
          </dd>
        </div>
      </dl>
      {removable ? <RemoveAgent agent={agent} onRemoved={onSaved} /> : null}
    </article>
  );
}

export function AgentsPage() {
  const { t } = useI18n();
  const { user, caps } = useSession();
  const list = useData(() => api.get<AgentsList>('/agents'), []);
  const { reload } = list;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const missing = list.error instanceof ApiError && list.error.status === 404;
  const agents = list.data?.agents ?? [];
  const eligible = agents.filter((a) => a.eligibleNow);
  // The file is the one place to edit a directory AGENTS_FILE manages; availability still works.
  const canEdit = isAdmin(user) && list.data?.readOnly === false && caps.has('post', '/agents');
  return (
    <section>
      <PageHeader title={t.agents.title} />
      {missing ? <Empty>{t.agents.unavailable}</Empty> : null}
      {list.error !== undefined && !missing ? <ErrorNote error={list.error} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data?.readOnly ? <p class="note">{t.agents.readOnly}</p> : null}
      {list.data && agents.length === 0 ? <Empty>{t.agents.none}</Empty> : null}
      {agents.length > 0 ? (
        <p class="note eligible-now" data-eligible-count={eligible.length}>
          {eligible.length === 0
            ? t.agents.nobodyNow
            : t.agents.eligibleNow(eligible.map((a) => a.name).join(', '))}
        </p>
      ) : null}
      {list.data ? <Departments departments={list.data.departments} /> : null}
      <div class="agent-grid">
        {agents.map((agent) => (
          <AgentCard
            key={agent.id}
            agent={agent}
            // Admins set anyone's availability; an agent user only their own.
            editable={isAdmin(user) || user.agentId === agent.id}
            removable={canEdit}
            onSaved={reload}
          />
        ))}
      </div>
      {canEdit && list.data ? (
        <section class="card" data-card="directory-edit">
          <h2>{t.agents.edit}</h2>
          <AddDepartment onSaved={reload} />
          <AddAgent departments={list.data.departments} onSaved={reload} />
        </section>
      ) : null}
    </section>
  );
}
