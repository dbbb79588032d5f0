// `agentlocator call <url>`: one emulated call (optionally speaking a WAV and pressing keys), its
// timeline, every Twilio error the emulator saw, and what the agent said written to --out.
import {
  AGENT_BEHAVIOURS,
  titleOf,
  TWILIO_CODES,
  type AgentBehaviour,
  type CallResult,
  type TwilioCode,
} from '../../emulator/index.js';
import { readCallerWav, writeHeardWav } from '../call/audio-io.js';
import { fetchServerTranscript } from '../call/call-transcript.js';
import { runCall, type DtmfPress } from '../call/run-call.js';
import { formatTime, timelineLines } from '../call/timeline.js';
import { parseTarget, UsageError } from '../target.js';
import { createTerm } from '../term.js';
import { CREDENTIAL_OPTIONS, credentialsFrom, parse, seconds } from './common.js';

export const CALL_HELP = `agentlocator call <public base url | incoming-call URL> [options]

Places one emulated Twilio call: the signed webhook, the TwiML, the greeting, the media stream
(the caller is a live line: μ-law silence unless --audio speaks), marks, clear, stop, the
<Connect action> and a voicemail if the server sends one. Prints the timeline and every Twilio
error the emulator saw.

Options:
  --audio <in.wav>       the caller speaks this WAV once the stream starts (any WAV: PCM16,
                         μ-law or A-law, any rate, mono or stereo; converted to μ-law 8 kHz)
  --dtmf <keys>[@<s>]    press keys (0-9 * #), 200 ms apart: at <s> seconds after the stream
                         starts, or — without @ — once the --audio has been spoken (2 s after the
                         stream starts when there is no --audio). Repeat for several presses.
  --out <out.wav>        write what the caller heard on the stream (the agent) as a 16-bit WAV
  --duration <s>         hang up this long after the stream starts (default 10, or the audio + 5);
                         once a <Dial> starts, the caller stays on until the call ends
  --agent <number>=<how> the phone a <Dial> rings at <number> (E.164, sip:… or client:…):
                         accept (answers, presses 1 at the whisper), decline (presses 2), silent,
                         no-answer, busy or failed. Repeat for several agents; others accept.
  --rest-port <port>     serve a fake Twilio REST API on 127.0.0.1:<port> for this call, so a
                         server started with TWILIO_API_BASE_URL=http://127.0.0.1:<port> (and the
                         same account and token) can transfer it with calls(sid).update
  --api-key <key>        after the call, print the server's transcript (and summary) from
                         its CRM API, waiting up to --transcript-wait seconds (default 30)
                         while voicemails and answers are transcribed (TRANSCRIBE_URL)
  --transcript-wait <s>  how long to wait for the server's transcript
  --auth-token, --account-sid, --timeout <s>, --json   as for doctor

Exit status: 0 when Twilio would have flagged nothing, 1 otherwise, 2 usage error.`;

const DTMF = /^([0-9*#]+)(?:@(\d+(?:\.\d+)?))?$/;

export function parseDtmf(specs: string[]): DtmfPress[] {
  return specs.map((spec) => {
    const m = DTMF.exec(spec.trim());
    if (!m)
      throw new UsageError(`--dtmf ${spec}: use keys 0-9 * # and an optional @seconds, e.g. 1# or 3@4.5`);
    return { digits: m[1]!, ...(m[2] !== undefined ? { atMs: Math.round(Number(m[2]) * 1000) } : {}) };
  });
}

const AGENT = /^([^=\s]+)=([a-z-]+)$/;

/** `--agent +972501234567=accept` (repeatable) → the emulated phone behind each number. */
export function parseAgents(specs: string[]): Record<string, AgentBehaviour> {
  const agents: Record<string, AgentBehaviour> = {};
  for (const spec of specs) {
    const m = AGENT.exec(spec.trim());
    const behaviour = m?.[2] as AgentBehaviour | undefined;
    if (!m || !behaviour || !AGENT_BEHAVIOURS.includes(behaviour)) {
      throw new UsageError(
        `--agent ${spec}: use <number>=<${AGENT_BEHAVIOURS.join('|')}>, e.g. +972501234567=accept`,
      );
    }
    if (agents[m[1]!] !== undefined) throw new UsageError(`--agent ${m[1]!} is given twice`);
    agents[m[1]!] = behaviour;
  }
  return agents;
}

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError('--rest-port must be a port number (1-65535)');
  return n;
}

/** Everything Twilio would have flagged, errors and warnings first, then notices (e.g. 31921). */
function flagged(result: CallResult): { text: string; notice: boolean }[] {
  const rank = { error: 0, warning: 1, notice: 2 } as const;
  return [...result.violations]
    .sort((a, b) => rank[a.severity] - rank[b.severity])
    .map((v) => {
      const title = v.code in TWILIO_CODES ? titleOf(v.code as TwilioCode) : '';
      return { text: `${v.severity} ${v.code} ${title}: ${v.message}`, notice: v.severity === 'notice' };
    });
}

export async function callCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    ...CREDENTIAL_OPTIONS,
    audio: { type: 'string' },
    dtmf: { type: 'string', multiple: true },
    out: { type: 'string' },
    duration: { type: 'string' },
    agent: { type: 'string', multiple: true },
    'rest-port': { type: 'string' },
    'api-key': { type: 'string' },
    'transcript-wait': { type: 'string' },
  });
  if (values.help) {
    console.log(CALL_HELP);
    return 0;
  }
  const target = parseTarget(positionals[0]);
  const dtmf = parseDtmf(values.dtmf ?? []);
  const agents = parseAgents(values.agent ?? []);
  const restPort = port(values['rest-port']);
  const apiKey = values['api-key']?.trim() || undefined;
  const transcriptWaitMs = seconds(values['transcript-wait'], 'transcript-wait', 30_000);
  const audio = values.audio ? await readCallerWav(values.audio) : undefined;
  const creds = await credentialsFrom(values);
  const defaultDuration = audio ? Math.ceil(audio.length / 8) + 5000 : 10_000;
  const durationMs = seconds(values.duration, 'duration', defaultDuration);
  const term = createTerm(process.stdout);
  const json = values.json === true;

  if (!json) term.line(`${term.bold('AgentLocator call')}  ${target.webhookUrl}`);
  if (!json && restPort !== undefined) {
    term.line(term.dim(`  fake Twilio REST API on http://127.0.0.1:${restPort} (TWILIO_API_BASE_URL)`));
  }
  const stop = json
    ? () => undefined
    : term.progress(`calling… (the stream stays open ${(durationMs / 1000).toFixed(1)} s)`);
  const result = await runCall({
    target,
    authToken: creds.authToken,
    accountSid: creds.accountSid,
    durationMs,
    timeoutMs: seconds(values.timeout, 'timeout', 15_000),
    ...(audio ? { audio } : {}),
    dtmf,
    agents,
    ...(restPort !== undefined ? { restPort } : {}),
  });
  stop();
  if (values.out) await writeHeardWav(values.out, result.playedAudio);
  const found = flagged(result);
  const stopWaiting =
    json || !apiKey ? () => undefined : term.progress('waiting for the server’s transcript…');
  const transcript = apiKey
    ? await fetchServerTranscript({
        origin: target.origin,
        callSid: result.callSid,
        apiKey,
        waitMs: transcriptWaitMs,
      })
    : undefined;
  stopWaiting();

  if (json) {
    const { playedAudio, streams, ...rest } = result;
    term.line(
      JSON.stringify(
        {
          ...rest,
          streams: streams.map(({ played, ...s }) => ({ ...s, playedBytes: played.length })),
          playedBytes: playedAudio.length,
          ...(values.out ? { out: values.out } : {}),
          ...(transcript ? { serverTranscript: transcript } : {}),
        },
        null,
        2,
      ),
    );
    return result.ok ? 0 : 1;
  }
  term.line(term.dim(`  ${result.callSid} from ${result.from} · signing with ${creds.tokenSource}`));
  term.line();
  for (const l of timelineLines(result)) {
    const text = l.problem ? term.red(l.text) : l.text;
    term.line(`${term.dim(formatTime(l.t))}  ${text}`);
  }
  term.line();
  const heard = (result.playedAudio.length / 8000).toFixed(1);
  term.line(`the caller heard ${heard} s from the agent${values.out ? ` → ${values.out}` : ''}`);
  if (transcript) {
    term.line(term.bold('the server’s transcript:'));
    for (const t of transcript.turns) term.line(`  ${term.dim(t.role.padEnd(6))}  ${t.text}`);
    if (transcript.turns.length === 0) term.line(term.dim('  (nothing yet)'));
    if (transcript.summary) term.line(`  ${term.dim('summary')} ${transcript.summary}`);
    if (transcript.note) term.line(term.yellow(`  ${transcript.note}`));
  } else if (audio) {
    term.line(
      term.dim('the server’s transcript: pass --api-key <key> (agentlocator api-key create) to print it'),
    );
  }
  if (found.length === 0) term.line(term.green('Twilio errors: none'));
  else {
    const serious = found.filter((f) => !f.notice).length;
    const head = `Twilio flagged ${found.length} (${serious} error${serious === 1 ? '' : 's'} or warning${serious === 1 ? '' : 's'}):`;
    term.line(serious ? term.red(head) : term.yellow(head));
    for (const f of found) term.line(`  ${f.notice ? term.yellow(f.text) : term.red(f.text)}`);
  }
  return result.ok ? 0 : 1;
}
