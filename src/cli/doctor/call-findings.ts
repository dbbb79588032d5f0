// Reads an emulated call's result as findings: the stream's life (start accepted, frames, marks,
// stop), every Twilio error the emulator flagged, named by cause, and the HTTP exchanges that failed.
import type { CallResult, HttpExchange, StreamReport, Violation } from '../../emulator/index.js';
import type { Finding } from './types.js';
import { ms, twilioError } from './twilio-facts.js';

export interface CallAnalysis {
  summary: string;
  saw: string[];
  findings: Finding[];
}

const STREAM_CAUSES: Record<number, { cause: string; fix: string }> = {
  31950: {
    cause: 'call-binary-frame',
    fix: 'send every message as a JSON text frame; audio goes base64 in media.payload',
  },
  31924: {
    cause: 'call-protocol-error',
    fix: 'send raw μ-law 8 kHz as base64 with no WAV/MP3 headers, and well-formed WebSocket frames',
  },
  31903: {
    cause: 'call-broken-pipe',
    fix: 'the server dropped the connection without a close frame: look for a crash or restart, or a proxy idle timeout',
  },
};

function streamFinding(v: Violation): Finding {
  if (v.code === 31951 && /streamSid/.test(v.message)) {
    return {
      severity: 'fail',
      cause: 'call-wrong-stream-sid',
      message: `an outbound message carries the wrong streamSid (${v.message}); Twilio drops it and the caller hears nothing.`,
      twilio: twilioError(31951),
      fix: 'keep the streamSid from the `start` message and put exactly it on every media, mark and clear',
    };
  }
  if (v.code === 31951) {
    return {
      severity: 'fail',
      cause: 'call-invalid-message',
      message: `an outbound message is invalid: ${v.message}.`,
      twilio: twilioError(31951),
      fix: 'send only media, mark and clear messages shaped as Twilio documents them',
    };
  }
  const known = STREAM_CAUSES[v.code];
  return {
    severity: 'fail',
    cause: known?.cause ?? `call-twilio-${v.code}`,
    message: `${v.message}.`,
    twilio: twilioError(v.code),
    fix: known?.fix ?? 'see Twilio’s description of this error',
  };
}

function exchangeFinding(x: HttpExchange, secureTarget: boolean, host: string): Finding | undefined {
  const error = x.error;
  if (!error) return undefined;
  const url = new URL(x.url);
  if (!secureTarget && url.protocol === 'https:' && url.host === host && x.status === 403) {
    return {
      severity: 'warn',
      cause: 'https-callbacks-over-http',
      message: `${url.pathname} at an https:// URL was refused (403) when reached over plain http: the server checks the signature over the URL it was reached on. Expected for an http:// URL; not checked.`,
      twilio: twilioError(error.code),
      fix: 'run doctor against the public https:// URL',
    };
  }
  if (x.purpose === 'play' || x.purpose === 'webhook') return undefined; // checks 2 and 4 report these
  if (x.purpose === 'action') {
    return {
      severity: 'fail',
      cause: 'connect-action-failed',
      message: `the <Connect action> ${x.url} failed: ${error.message}.`,
      twilio: twilioError(error.code),
      fix: 'serve POST /webhook/stream_ended (signed), answering TwiML',
    };
  }
  return {
    severity: error.code === 15003 ? 'warn' : 'fail',
    cause: `callback-${x.purpose}`,
    message: `${error.message}.`,
    twilio: twilioError(error.code),
    fix: `answer Twilio's ${x.purpose} request at ${url.pathname} with 2xx`,
  };
}

function streamLife(result: CallResult, stream: StreamReport, saw: string[]): Finding[] {
  const findings: Finding[] = [];
  const started = result.timeline.find((e) => e.kind === 'start-sent');
  const closed = result.timeline.find((e) => e.kind === 'ws-closed');
  saw.push(
    `stream ${stream.streamSid}: handshake ${stream.handshakeMs ?? '?'} ms, ${stream.framesSent} caller frames sent`,
    `agent: ${stream.mediaReceived} media frames (${ms(stream.audioBytesReceived / 8)} of audio), ${stream.marksReceived} marks, ${stream.clears} clears`,
    `marks echoed: ${stream.marksEchoed.length} of ${stream.marksReceived} (the rest were still playing at hang-up)`,
  );
  if (stream.endedBy === 'server') {
    const after = started && closed ? ms(closed.t - started.t) : '?';
    const reason =
      typeof closed?.detail.reason === 'string' && closed.detail.reason ? ` "${closed.detail.reason}"` : '';
    findings.push({
      severity: 'fail',
      cause: 'call-start-rejected',
      message: `the server closed the stream ${after} after \`start\` (code ${stream.closeCode ?? '?'}${reason}) while the caller was listening: Twilio stops the stream (31921) and goes to <Connect action>.`,
      twilio: twilioError(31921),
      fix:
        stream.closeCode === 1008
          ? 'the server refused `start` (policy close 1008): if it has TWILIO_ACCOUNT_SID set, run doctor with the same --account-sid; otherwise read its log (WS_REJECTED) for this CallSid'
          : 'read the server log for this CallSid (token, account, agent start-up)',
    });
  } else if (stream.mediaReceived === 0) {
    findings.push({
      severity: 'warn',
      cause: 'call-agent-silent',
      message:
        'the agent sent no audio while the stream was open: the caller hears silence after the greeting.',
      fix: 'check the agent (AGENT, OPENAI_API_KEY) and the server log for this call',
    });
  }
  const stop = result.timeline.find((e) => e.kind === 'stop-sent');
  if (stop && closed) {
    saw.push(`stop → close ${String(closed.detail.closeCode)} in ${ms(closed.t - stop.t)}`);
    if (closed.detail.closeCode === 1006) {
      findings.push({
        severity: 'warn',
        cause: 'call-stop-unclean',
        message: 'after `stop` the server did not complete the close handshake (1006).',
        fix: 'on `stop`, close the WebSocket normally (1000)',
      });
    }
  }
  return findings;
}

export function analyseCall(
  result: CallResult,
  target: { target: { secure: boolean; host: string } },
): CallAnalysis {
  const saw: string[] = [];
  const findings: Finding[] = [];
  const stream = result.streams[0];
  if (!stream) {
    findings.push({
      severity: 'fail',
      cause: 'call-no-stream',
      message: `the call ended (${result.endedBy}) without opening a media stream.`,
      fix: 'see checks 2 and 3: the TwiML must reach <Connect><Stream>',
    });
  } else if (stream.failure) {
    findings.push({
      severity: 'fail',
      cause: 'call-stream-failed',
      message: `the stream did not open: ${stream.failure.message}.`,
      twilio: twilioError(stream.failure.code),
      fix: 'see check 5',
    });
  } else {
    findings.push(...streamLife(result, stream, saw));
  }

  const seen = new Set<string>();
  const add = (f: Finding | undefined) => {
    if (!f || seen.has(f.cause)) return;
    seen.add(f.cause);
    findings.push(f);
  };
  for (const v of result.violations) {
    // The stream's own failure and a server close are reported above.
    if (!v.streamSid || v.code === 31921 || stream?.failure) continue;
    add(streamFinding(v));
  }
  for (const x of result.requests) add(exchangeFinding(x, target.target.secure, target.target.host));
  const action = result.requests.find((x) => x.purpose === 'action');
  if (action?.status)
    saw.push(`<Connect action> after hang-up: ${new URL(action.url).pathname} → ${action.status}`);
  const summary =
    stream && !stream.failure
      ? `${stream.mediaReceived} agent frames, ${stream.marksReceived} marks (${stream.marksEchoed.length} echoed), ended by ${stream.endedBy ?? '?'}`
      : `the call ended (${result.endedBy}) without a stream`;
  return { summary, saw, findings };
}
