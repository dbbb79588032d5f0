// An emulated call's timeline as lines people read: TwiML, greeting, stream start, agent audio,
// marks (runs collapsed into one line), clears, keys, stop, <Connect action>, voicemail, and every
// Twilio error in place. Pure.
import type { CallResult, TimelineEvent } from '../../emulator/index.js';
import { titleOf, TWILIO_CODES, parseTwiml, type TwilioCode, type Verb } from '../../emulator/index.js';

export interface TimelineLine {
  t: number;
  text: string;
  /** An error or warning Twilio would flag. */
  problem?: boolean;
}

const EXCHANGES = new Set([
  'webhook',
  'fallback',
  'action',
  'redirect',
  'rest-url',
  'status-callback',
  'recording-status',
]);

const path = (url: unknown) => {
  try {
    const u = new URL(String(url));
    return u.pathname + u.search;
  } catch {
    return String(url);
  }
};
const secs = (ms: unknown) => `${(Number(ms) / 1000).toFixed(1)} s`;

function verbText(v: Verb): string {
  switch (v.verb) {
    case 'Play':
      return `<Play ${v.url ? path(v.url) : `digits=${v.digits}`}>`;
    case 'Say':
      return `<Say "${v.text.length > 30 ? `${v.text.slice(0, 30)}…` : v.text}">`;
    case 'Connect':
      return v.stream
        ? `<Connect${v.action ? ` action=${v.action}` : ''}><Stream ${v.stream.url}> (${Object.keys(v.stream.parameters).join(', ') || 'no parameters'})`
        : `<Connect ${v.nouns.join(',')}>`;
    case 'Record':
      return `<Record${v.action ? ` action=${v.action}` : ''} maxLength=${v.maxLengthSec}>`;
    case 'Unsupported':
      return `<${v.name}>`;
    default:
      return `<${v.verb}>`;
  }
}

function twimlText(xml: string): string {
  const parsed = parseTwiml(xml);
  if (!parsed.ok) return 'TwiML does not parse';
  return `TwiML: ${parsed.verbs.map(verbText).join(' ') || '<Response/> (hang up)'}`;
}

function codeText(code: unknown): string {
  const n = Number(code);
  return n in TWILIO_CODES ? `${n} ${titleOf(n as TwilioCode)}` : String(code);
}

function exchangeText(e: TimelineEvent): string {
  const d = e.detail;
  const answer = d.code !== undefined ? `✗ ${codeText(d.code)}` : `${String(d.status)}`;
  const what = e.kind === 'action' ? 'action' : e.kind === 'stream-status' ? 'stream statusCallback' : e.kind;
  return `${what} ${path(d.url)} → ${answer} (${String(d.ms)} ms)`;
}

function eventText(e: TimelineEvent): string | undefined {
  const d = e.detail;
  switch (e.kind) {
    case 'answered':
      return 'call answered';
    case 'play-fetch':
      return d.ok
        ? `greeting fetched: ${path(d.url)} → ${String(d.status)} ${String(d.contentType)}, ${String(d.bytes)} bytes`
        : `✗ greeting NOT playable: ${path(d.url)} → ${String(d.status ?? 'no answer')}`;
    case 'play':
      return d.durationMs !== undefined ? `greeting plays (${secs(d.durationMs)})` : undefined;
    case 'say':
      return `<Say> (${secs(d.durationMs)})`;
    case 'pause':
      return `<Pause> ${String(d.lengthSec)} s`;
    case 'stream-connecting':
      return `stream: upgrade ${String(d.url)}`;
    case 'ws-open':
      return `stream: 101 in ${String(d.ms)} ms${d.downgraded ? ' (dialled as ws://, no TLS locally)' : ''}`;
    case 'ws-failed':
      return `✗ stream: upgrade failed (${codeText(d.code)}${d.status !== undefined ? `, HTTP ${String(d.status)}` : ''})`;
    case 'start-sent':
      return `stream start sent (${String(d.streamSid)})`;
    case 'first-media-received':
      return 'agent starts speaking (first media frame)';
    case 'clear-received':
      return `clear: the agent stopped talking (${secs(Number(d.droppedBytes) / 8)} of audio dropped)`;
    case 'dtmf-sent':
      return `caller presses ${String(d.digit)}`;
    case 'caller-audio-sent':
      return `caller audio done (${secs(Number(d.bytes) / 8)})`;
    case 'caller-audio-error':
      return `✗ caller audio: ${String(d.message)}`;
    case 'stop-sent':
      return 'stop sent (caller hung up)';
    case 'ws-closed':
      return `stream closed by ${String(d.by)} (code ${String(d.closeCode)}${d.reason ? ` "${String(d.reason)}"` : ''})`;
    case 'stream-status':
      return undefined; // the event; its callback exchange is printed as an exchange
    case 'record-start':
      return `voicemail: <Record> starts (max ${String(d.maxLengthSec)} s${d.playBeep ? ', beep' : ''})`;
    case 'record-end':
      return d.recordingSid
        ? `voicemail: ${String(d.durationSec)} s recorded (${String(d.recordingSid)})`
        : 'voicemail: recording interrupted';
    case 'hangup-verb':
      return '<Hangup>';
    case 'reject':
      return `<Reject> (${String(d.reason)})`;
    case 'dial':
      return `<Dial> ${JSON.stringify(d.targets)} → ${String(d.outcome)}`;
    case 'redirect':
      return undefined; // the exchange line says it
    case 'unsupported-verb':
      return `<${String(d.name)}> (not emulated, skipped)`;
    case 'application-error':
      return `✗ the caller hears "an application error has occurred" (${codeText(d.code)})`;
    case 'violation':
      return `✗ Twilio ${codeText(d.code)}: ${String(d.message)}`;
    case 'call-ended':
      return `call ended: ${String(d.status)} (${String(d.endedBy)})`;
    case 'emulator-error':
      return `✗ emulator error: ${String(d.message)}`;
    case 'connected-sent':
      return undefined;
    default:
      return `${e.kind} ${JSON.stringify(d)}`;
  }
}

/** Builds the printable timeline; runs of mark events become one line. */
export function timelineLines(result: CallResult): TimelineLine[] {
  const lines: TimelineLine[] = [];
  const docs = [...result.documents];
  let run: { t: number; received: number; played: number; cleared: number } | undefined;
  const flush = () => {
    if (!run) return;
    const parts = [
      ...(run.received || run.played
        ? [`${run.received} from the agent, ${run.played} echoed back as played`]
        : []),
      ...(run.cleared ? [`${run.cleared} echoed at once by the clear`] : []),
    ];
    lines.push({ t: run.t, text: `marks: ${parts.join(', ')}` });
    run = undefined;
  };
  for (const e of result.timeline) {
    if (e.kind === 'mark-received' || e.kind === 'mark-echoed') {
      run ??= { t: e.t, received: 0, played: 0, cleared: 0 };
      if (e.kind === 'mark-received') run.received += 1;
      else if (e.detail.reason === 'cleared') run.cleared += 1;
      else run.played += 1;
      continue;
    }
    flush();
    if (e.kind === 'play' && e.detail.url !== undefined && e.detail.durationMs === undefined) continue; // play-fetch says it
    const isExchange = EXCHANGES.has(e.kind) || (e.kind === 'stream-status' && !e.detail.event);
    // A failed exchange is followed by its violation, which says it in full.
    if (isExchange && e.detail.code !== undefined) continue;
    const text = isExchange ? exchangeText(e) : eventText(e);
    if (text === undefined) continue;
    lines.push({ t: e.t, text, problem: text.startsWith('✗') });
    if (isExchange && e.detail.code === undefined && docs[0] && docs[0].url === e.detail.url) {
      lines.push({ t: e.t, text: `  ${twimlText(docs.shift()!.xml)}` });
    }
  }
  flush();
  return lines;
}

export function formatTime(t: number): string {
  return `+${(t / 1000).toFixed(2).padStart(6)} s`;
}
