// The test call's panel for the dashboard's Test call page (admins): start, status, the callSid
// with a link to its call page, a keypad and hang-up. Its data-* attributes expose the call's
// phase and the agent audio received and played, for the browser test and for support.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { TestCallClient, type TestCallState } from './test-call-client.js';
import './test-call.css';

/** The keys as a phone lays them out (protocol.ts lists the same twelve). */
const KEYPAD = '123456789*0#';

export function TestCallPanel() {
  const labels = useI18n().t.testCall;
  const endedWords: Record<string, string> = labels.ended;
  const client = useRef<TestCallClient | null>(null);
  const [state, setState] = useState<TestCallState | null>(null);
  useEffect(() => () => client.current?.dispose(), []);

  const start = () => {
    client.current?.dispose();
    const next = new TestCallClient(setState);
    client.current = next;
    void next.start();
  };
  const phase = state?.phase ?? 'idle';
  const live = phase === 'starting' || phase === 'ringing' || phase === 'greeting' || phase === 'connected';
  const status =
    phase === 'ended' && state?.endReason
      ? `${labels.phase.ended}: ${endedWords[state.endReason] ?? state.endReason}`
      : phase === 'failed' && state?.failure
        ? `${labels.failure[state.failure]}${state.message ? `: ${state.message}` : ''}`
        : labels.phase[phase];
  const agent = state?.agent;

  return (
    <div
      class="test-call"
      data-test-call-phase={phase}
      data-call-sid={state?.callSid ?? ''}
      data-mic-frames={state?.micFrames ?? 0}
      data-agent-bytes={agent?.bytes ?? 0}
      data-agent-peak={(agent?.peak ?? 0).toFixed(4)}
      data-agent-rms={(agent?.rms ?? 0).toFixed(4)}
      data-agent-played-ms={Math.round(agent?.playedMs ?? 0)}
    >
      <p class={`test-call-status test-call-${phase}`} role="status" aria-live="polite">
        {status}
      </p>
      {state?.callSid && (
        <p class="test-call-sid">
          <Link href={`/calls/${state.callSid}`}>{labels.openCall}</Link>{' '}
          <span dir="ltr">{state.callSid}</span>
        </p>
      )}
      <div class="test-call-actions">
        {live ? (
          <button type="button" class="danger test-call-hangup" onClick={() => client.current?.hangUp()}>
            {labels.hangUp}
          </button>
        ) : (
          <button type="button" class="primary test-call-start" onClick={start}>
            {labels.start}
          </button>
        )}
      </div>
      <div class="test-call-keypad" role="group" aria-label={labels.keypad} dir="ltr">
        {[...KEYPAD].map((digit) => (
          <button
            type="button"
            key={digit}
            data-digit={digit}
            disabled={phase !== 'connected'}
            onClick={() => client.current?.press(digit)}
          >
            {digit}
          </button>
        ))}
      </div>
      {agent && agent.bytes > 0 && (
        <p class="test-call-heard">
          {labels.heard}: <span dir="ltr">{(agent.playedMs / 1000).toFixed(1)} s</span>
        </p>
      )}
      <p class="note">{labels.headphones}</p>
    </div>
  );
}
