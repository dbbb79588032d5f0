// Live: the calls in progress as they happen — who calls, for how long, which agent, the words
// as they are said and who spoke last — from GET /calls?outcome=live and the SSE of GET /events.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { CallView, Page } from '../api/types.js';
import { applyLiveEvent, pruneEnded, seedLive, type LiveCall, type LiveState } from '../api/live.js';
import { subscribeLive } from '../api/live-source.js';
import { useI18n } from '../i18n/i18n.js';
import { formatDuration, secondsSince } from '../format/time.js';
import { Link } from '../router.js';
import { Badge, Empty, PageHeader, Phone } from '../components/ui.js';
import { Transcript } from '../components/transcript.js';
import { CallActions } from '../components/call-actions.js';
import { TwilioError } from '../components/twilio-error.js';
import { LeadFields } from '../components/lead-editor.js';
import { isAdmin, useSession } from '../session.js';

/** An ended call stays on the page this long, marked ended, so its end is seen. */
const KEEP_ENDED_MS = 8000;

function LiveCard({ call, now }: { call: LiveCall; now: number }) {
  const { t } = useI18n();
  const ended = call.endedAt !== null;
  const seconds = secondsSince(call.startedAt, ended ? Date.parse(call.endedAt ?? '') : now);
  return (
    <article class={ended ? 'card live-card ended' : 'card live-card'} data-call-sid={call.callSid}>
      <header class="live-head">
        <div>
          <div class="live-caller">
            {call.contactName ? <strong dir="auto">{call.contactName}</strong> : null}
            <Phone value={call.from} link />
          </div>
          <div class="muted small">
            {t.live.to} <Phone value={call.to} />
          </div>
        </div>
        <div class="live-meta">
          <span class="timer" aria-label={t.live.duration}>
            <bdi dir="ltr">{formatDuration(seconds)}</bdi>
          </span>
          {ended ? (
            <Badge tone="neutral">{t.live.ended}</Badge>
          ) : call.streaming ? (
            <Badge tone="info">{t.live.connected}</Badge>
          ) : (
            <Badge tone="neutral">
              {t.callStatus[call.status as keyof typeof t.callStatus] ?? call.status}
            </Badge>
          )}
        </div>
      </header>
      <dl class="facts">
        <div>
          <dt>{t.common.agent}</dt>
          <dd>{call.agentId ?? t.live.aiAgent}</dd>
        </div>
        <div>
          <dt>{t.live.speaking}</dt>
          <dd data-testid="speaking">
            {call.speaking === null ? (
              <span class="muted">—</span>
            ) : (
              <span class={`speaker speaker-${call.speaking}`}>
                {call.speaking === 'caller' ? t.common.caller : t.common.agent}
              </span>
            )}
          </dd>
        </div>
      </dl>
      {call.streamProblem ? (
        <p class="note note-error">
          {t.live.streamStopped(call.streamProblem.closeCode, call.streamProblem.reason)}
        </p>
      ) : null}
      {call.twilioCodes.map((code) => (
        <TwilioError key={code} code={code} />
      ))}
      <Transcript turns={call.transcript} live={!ended} />
      {call.answers ? (
        <div class="live-answers">
          <h3>{t.live.answers}</h3>
          <LeadFields fields={call.answers} />
        </div>
      ) : null}
      <footer class="live-foot">
        <Link href={`/calls/${call.callSid}`}>{t.live.openCall}</Link>
        {!ended ? <CallActions callSid={call.callSid} /> : null}
      </footer>
    </article>
  );
}

export function LivePage() {
  const { t } = useI18n();
  const { user } = useSession();
  const [calls, setCalls] = useState<LiveState>(new Map());
  const [connected, setConnected] = useState<boolean | null>(null);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    let closed = false;
    const refresh = () =>
      api.get<Page<CallView>>('/calls', { outcome: 'live', limit: 50 }).then(
        (page) => !closed && setCalls((s) => seedLive(s, page.items)),
        () => {
          /* the connection note already says the server is unreachable */
        },
      );
    const sub = subscribeLive({
      onEvent: (event) => setCalls((s) => applyLiveEvent(s, event)),
      onOpen: () => {
        setConnected(true);
        void refresh();
      },
      onError: () => setConnected(false),
      onReset: () => {
        setCalls(new Map());
        void refresh();
      },
    });
    const timer = setInterval(() => {
      setNow(Date.now());
      setCalls((s) => pruneEnded(s, Date.now(), KEEP_ENDED_MS));
    }, 1000);
    return () => {
      closed = true;
      sub.close();
      clearInterval(timer);
    };
  }, []);

  const list = [...calls.values()].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  return (
    <section>
      <PageHeader title={t.live.title}>
        <span class={connected === false ? 'conn conn-off' : 'conn conn-on'} role="status">
          {connected === false ? t.live.reconnecting : connected ? t.live.listening : t.common.loading}
        </span>
        {isAdmin(user) ? (
          <Link href="/test-call" class="button">
            {t.nav.testCall}
          </Link>
        ) : null}
      </PageHeader>
      {list.length === 0 ? (
        <Empty>{t.live.none}</Empty>
      ) : (
        <div class="live-grid">
          {list.map((call) => (
            <LiveCard key={call.callSid} call={call} now={now} />
          ))}
        </div>
      )}
    </section>
  );
}
