// An audio player per recording of a call (the whole call, each answer clip, the voicemail),
// streamed from GET /recordings/:id/audio with byte ranges so seeking works.
import type { RecordingView } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Duration } from './ui.js';

export function Recordings({ recordings }: { recordings: readonly RecordingView[] }) {
  const { t } = useI18n();
  if (recordings.length === 0) return <p class="note empty">{t.call.noRecordings}</p>;
  // The whole call first, then answers and voicemail in the order they were made.
  const order = (r: RecordingView) => (r.source === 'call-audio' ? 0 : r.source === 'voicemail' ? 2 : 1);
  const sorted = [...recordings].sort((a, b) => order(a) - order(b));
  return (
    <ul class="recordings">
      {sorted.map((r) => (
        <li key={r.recordingSid} class="recording">
          <div class="recording-head">
            <strong>{t.recordingSource[r.source as keyof typeof t.recordingSource] ?? r.source}</strong>
            <Duration seconds={r.durationSec} />
          </div>
          <audio controls preload="metadata" src={r.audioUrl} data-recording-sid={r.recordingSid}>
            <a href={r.audioUrl}>{t.call.download}</a>
          </audio>
          {/* The server's transcription of a voicemail or answer (TRANSCRIBE_URL), in its own direction. */}
          {r.transcript ? (
            <p class="recording-text" dir="auto">
              {r.transcript}
            </p>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
