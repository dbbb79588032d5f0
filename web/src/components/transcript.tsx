// A conversation as chat bubbles: the caller on one side, the agent on the other (sides follow
// the page's direction), each with its time.
import { useI18n } from '../i18n/i18n.js';
import { formatClock } from '../format/time.js';

export interface Turn {
  role: 'caller' | 'agent';
  text: string;
  at: string;
}

export function Transcript({ turns, live = false }: { turns: readonly Turn[]; live?: boolean }) {
  const { t, lang, timeZone } = useI18n();
  if (turns.length === 0) return <p class="note empty">{live ? t.live.noWordsYet : t.call.noTranscript}</p>;
  return (
    <ol class="bubbles" aria-live={live ? 'polite' : undefined}>
      {turns.map((turn, i) => (
        <li key={`${turn.at}-${i}`} class={`bubble bubble-${turn.role}`}>
          <span class="bubble-who">{turn.role === 'caller' ? t.common.caller : t.common.agent}</span>
          {/* dir="auto": an English answer inside a Hebrew call still reads the right way. */}
          <p dir="auto">{turn.text}</p>
          <time class="bubble-time" dateTime={turn.at}>
            <bdi dir="ltr">{formatClock(turn.at, lang, timeZone)}</bdi>
          </time>
        </li>
      ))}
    </ol>
  );
}
