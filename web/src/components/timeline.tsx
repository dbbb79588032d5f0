// A call's timeline: its stored events and its media streams in time order, each Twilio error
// code explained with the fix, each stream with what flowed and how it closed.
import type { EventView, StreamView } from '../api/types.js';
import { timelineEntries } from './timeline-entries.js';
import { useI18n } from '../i18n/i18n.js';
import { formatClock } from '../format/time.js';
import { TwilioError } from './twilio-error.js';

/** Small details worth a glance (status values, reasons); long or nested values are left out. */
function detailText(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .filter(
      ([, v]) => (typeof v === 'string' && v.length <= 80) || typeof v === 'number' || typeof v === 'boolean',
    )
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
}

function EventLine({ event }: { event: EventView }) {
  const { t } = useI18n();
  const label = t.events[event.name as keyof typeof t.events] ?? `${event.kind} · ${event.name}`;
  const detail = detailText(event.detail);
  return (
    <>
      <p class="tl-label">{label}</p>
      {detail ? (
        <p class="tl-detail" dir="ltr">
          {detail}
        </p>
      ) : null}
      {event.twilioCode !== null ? <TwilioError code={event.twilioCode} /> : null}
    </>
  );
}

function StreamClose({ stream }: { stream: StreamView }) {
  const { t } = useI18n();
  const normal = stream.closeCode === null || stream.closeCode === 1000 || stream.closeCode === 1005;
  return (
    <>
      <p class="tl-label">{t.timeline.streamClosed}</p>
      <p class="tl-detail">
        {t.timeline.streamCounts(stream.framesIn, stream.framesOut, stream.marksAcked, stream.marksOut)}
        {stream.badFrames > 0 ? ` · ${t.timeline.badFrames(stream.badFrames)}` : ''}
      </p>
      {!normal || stream.closeReason ? (
        <p class={normal ? 'tl-detail' : 'tl-detail tl-bad'}>
          {t.timeline.closedWith(stream.closeCode, stream.closeReason)}
        </p>
      ) : null}
    </>
  );
}

export function Timeline({
  events,
  streams,
}: {
  events: readonly EventView[];
  streams: readonly StreamView[];
}) {
  const { t, lang, timeZone } = useI18n();
  const entries = timelineEntries(events, streams);
  if (entries.length === 0) return <p class="note empty">{t.timeline.empty}</p>;
  return (
    <ol class="timeline">
      {entries.map((entry, i) => {
        const problem =
          (entry.kind === 'event' && entry.event.twilioCode !== null) ||
          (entry.kind === 'stream-close' &&
            entry.stream.closeCode !== null &&
            entry.stream.closeCode !== 1000 &&
            entry.stream.closeCode !== 1005);
        return (
          <li key={i} class={problem ? 'tl-item tl-problem' : 'tl-item'}>
            <time class="tl-time" dateTime={entry.at}>
              <bdi dir="ltr">{formatClock(entry.at, lang, timeZone)}</bdi>
            </time>
            <div class="tl-body">
              {entry.kind === 'event' ? <EventLine event={entry.event} /> : null}
              {entry.kind === 'stream-open' ? <p class="tl-label">{t.timeline.streamOpened}</p> : null}
              {entry.kind === 'stream-close' ? <StreamClose stream={entry.stream} /> : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
