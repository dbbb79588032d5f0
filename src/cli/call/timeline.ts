// An emulated call's timeline as lines people read: TwiML, greeting, stream start, agent audio,
// marks (runs collapsed into one line), clears, keys, stop, <Connect action>, a <Dial> and each
// agent's leg (ringing, whisper, keys, bridge), voicemail, and every Twilio error in place. Pure.
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
  'whisper',
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
    case 'Dial':
      return `<Dial${v.action ? ` action=${v.action}` : ''} timeout=${v.timeoutSec}>${v.targets
        .map((t) => `<${t.kind}${t.url ? ` url=${t.url}` : ''}>`)
        .join('')}`;
    case 'Gather':
      return `<Gather${v.numDigits !== undefined ? ` numDigits=${v.numDigits}` : ''}${v.action ? ` action=${v.action}` : ''}>`;
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
    case 'dial': {
      const targets = d.targets as { value: string }[];
      const how = targets.length > 1 ? (d.sequential ? ', one after the other' : ', all at once') : '';
      return `<Dial> rings ${targets.map((t) => t.value).join(', ') || 'nobody'} (timeout ${String(d.timeoutSec)} s${how}${d.answerOnBridge ? ', answerOnBridge' : ''})`;
    }
    case 'dial-end':
      return `<Dial> ends: DialCallStatus=${String(d.outcome)}${d.bridged ? `, bridged ${String(d.durationSec)} s` : ', not bridged'}`;
    case 'agent-ringing':
      return `  ${String(d.number)} rings (${String(d.behaviour)})`;
    case 'agent-answered':
      return `  ${String(d.number)} answers`;
    case 'agent-say':
      return `  ${String(d.number)} hears <Say> (${secs(d.durationMs)})`;
    case 'agent-play':
      return d.durationMs !== undefined
        ? `  ${String(d.number)} hears <Play> (${secs(d.durationMs)})`
        : undefined;
    case 'agent-pause':
      return `  ${String(d.number)} hears <Pause> ${String(d.lengthSec)} s`;
    case 'agent-gather-keys':
      return `  ${String(d.number)} presses ${String(d.keys)}`;
    case 'agent-gather-end':
      return d.input ? undefined : `  ${String(d.number)} presses nothing: <Gather> times out`;
    case 'agent-hangup-verb':
      return `  ${String(d.number)}: whisper <Hangup> (declined)`;
    case 'agent-bridged':
      return `  ${String(d.number)} is bridged with the caller`;
    case 'agent-leg-end':
      return `  ${String(d.number)} leg ends: ${String(d.outcome)}`;
    case 'agent-gather':
    case 'agent-play-fetch':
    case 'gather':
      return undefined;
    case 'gather-keys':
      return `caller presses ${String(d.keys)} at <Gather>`;
    case 'gather-end':
      return d.input ? undefined : 'caller presses nothing: <Gather> times out';
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
  let updated = false;
  for (const e of result.timeline) {
    if (e.kind === 'mark-received' || e.kind === 'mark-echoed') {
      run ??= { t: e.t, received: 0, played: 0, cleared: 0 };
      if (e.kind === 'mark-received') run.received += 1;
      else if (e.detail.reason === 'cleared') run.cleared += 1;
      else run.played += 1;
      continue;
    }
    flush();
    if (e.kind === 'rest-update') {
      updated = true;
      const d = e.detail;
      const what = d.status ? `Status=${String(d.status)}` : d.url ? `Url=${path(d.url)}` : 'new TwiML';
      lines.push({ t: e.t, text: `REST API: calls(sid).update ${what}` });
      // TwiML handed to the REST API is the one document without a URL.
      if (d.twiml !== undefined && docs[0] && docs[0].url === undefined) {
        lines.push({ t: e.t, text: `  ${twimlText(docs.shift()!.xml)}` });
      }
      continue;
    }
    if (e.kind === 'stop-sent' && updated) {
      lines.push({ t: e.t, text: 'stop sent (the REST update ends the stream)' });
      continue;
    }
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
