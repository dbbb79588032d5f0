// Call: one call in full from GET /calls/:callSid — who, when, how it ended; the summary, the
// lead, the recordings, the transcript as bubbles, and the timeline with Twilio errors explained.
import { api } from '../api/client.js';
import type { CallDetail } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { useData } from '../components/use-data.js';
import { Badge, Duration, ErrorNote, Loading, PageHeader, Phone, When } from '../components/ui.js';
import { CallStatusBadge, OutcomeBadge } from '../components/status.js';
import { Transcript } from '../components/transcript.js';
import { Timeline } from '../components/timeline.js';
import { Recordings } from '../components/recordings.js';
import { LeadEditor } from '../components/lead-editor.js';
import { CallActions } from '../components/call-actions.js';
import { useEffect } from 'preact/hooks';
import { subscribeLive } from '../api/live-source.js';

export function CallPage({ callSid }: { callSid: string }) {
  const { t } = useI18n();
  const detail = useData(() => api.get<CallDetail>(`/calls/${encodeURIComponent(callSid)}`), [callSid]);
  const { reload } = detail;
  // A transcription or summary finished for this call: read it again, so the text shows at once.
  useEffect(() => {
    const sub = subscribeLive({
      onEvent: (event) => {
        if (event.type === 'job.done' && event.callSid === callSid) reload();
      },
      onOpen: () => undefined,
      onError: () => undefined,
      onReset: () => undefined,
    });
    return () => sub.close();
  }, [callSid, reload]);
  if (detail.error !== undefined)
    return (
      <section>
        <PageHeader title={t.call.title} />
        <ErrorNote error={detail.error} />
      </section>
    );
  if (!detail.data) return <Loading />;
  const d = detail.data;
  const { call } = d;
  const name = d.contact?.name ?? call.contactName;
  const summary = d.summary ?? call.summary;
  return (
    <section class="call-page">
      <PageHeader title={name ?? t.call.title}>
        <Link href="/calls" class="button">
          {t.call.back}
        </Link>
      </PageHeader>
      <div class="card call-facts">
        <dl class="facts">
          <div>
            <dt>{t.common.caller}</dt>
            <dd>
              {d.contact ? (
                <Link href={`/contacts/${d.contact.id}`}>
                  <Phone value={call.from} />
                </Link>
              ) : (
                <Phone value={call.from} />
              )}
            </dd>
          </div>
          <div>
            <dt>{t.call.dialled}</dt>
            <dd>
              <Phone value={call.to} />
            </dd>
          </div>
          <div>
            <dt>{t.calls.when}</dt>
            <dd>
              <When iso={call.startedAt} />
            </dd>
          </div>
          <div>
            <dt>{t.calls.length}</dt>
            <dd>
              <Duration seconds={call.durationSec} />
            </dd>
          </div>
          <div>
            <dt>{t.calls.outcome}</dt>
            <dd>
              <OutcomeBadge outcome={call.outcome} />{' '}
              {call.outcomeDetail ? <span dir="auto">{call.outcomeDetail}</span> : null}
            </dd>
          </div>
          <div>
            <dt>{t.calls.status}</dt>
            <dd>
              <CallStatusBadge status={call.status} />{' '}
              {call.test ? <Badge tone="neutral">{t.calls.test}</Badge> : null}
            </dd>
          </div>
          <div>
            <dt>{t.common.agent}</dt>
            <dd>{call.agentId ?? t.live.aiAgent}</dd>
          </div>
          <div>
            <dt>{t.calls.direction}</dt>
            <dd>
              {call.direction
                ? (t.direction[call.direction as keyof typeof t.direction] ?? call.direction)
                : '—'}
            </dd>
          </div>
        </dl>
        {call.outcome === 'live' ? <CallActions callSid={call.callSid} /> : null}
      </div>

      <div class="call-grid">
        <div class="call-main">
          <section class="card">
            <h2>{t.call.summary}</h2>
            {summary ? <p dir="auto">{summary}</p> : <p class="note empty">{t.call.noSummary}</p>}
          </section>
          <section class="card">
            <h2>{t.call.lead}</h2>
            {d.lead ? (
              <LeadEditor lead={d.lead} onSaved={(lead) => detail.set({ ...d, lead })} />
            ) : (
              <p class="note empty">{t.call.noLead}</p>
            )}
          </section>
          <section class="card">
            <h2>{t.call.recordings}</h2>
            <Recordings recordings={d.recordings} />
          </section>
          <section class="card">
            <h2>{t.call.transcript}</h2>
            <Transcript turns={d.transcript} />
          </section>
        </div>
        <section class="card call-side">
          <h2>{t.call.timeline}</h2>
          <Timeline events={d.events} streams={d.streams} />
        </section>
      </div>
    </section>
  );
}
