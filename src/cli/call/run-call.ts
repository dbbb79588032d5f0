// One emulated call for `agentlocator call`: the caller's WAV spoken once the stream starts, keys
// pressed at their times, a hang-up after the stream has been open for `durationMs` (or, once a
// <Dial> has started, when the call ends), the agents' phones a <Dial> rings, and an optional fake
// REST API the server transfers through. Owns its emulator, servers and timers; always resolves.
import {
  TwilioEmulator,
  startFakeTwilioRest,
  type AgentBehaviour,
  type CallResult,
  type EmulatedCall,
  type FakeTwilioRest,
} from '../../emulator/index.js';
import { UsageError, type Target } from '../target.js';
import { DOCTOR_FROM, DOCTOR_TO } from '../doctor/twilio-facts.js';
import { during, STREAM_START_WAIT_MS, streamStarted } from './call-control.js';

/** Keys pressed together; `atMs` after the stream starts, or (unset) once the caller's audio is sent. */
export interface DtmfPress {
  digits: string;
  atMs?: number;
}

export interface CallRun {
  target: Target;
  authToken: string;
  accountSid: string;
  /** The caller's voice, μ-law 8 kHz. */
  audio?: Uint8Array;
  dtmf?: DtmfPress[];
  /** How long the stream stays open before the caller hangs up. */
  durationMs: number;
  /** Twilio's budget per request. */
  timeoutMs?: number;
  /** The phones a <Dial> rings, by number; other numbers accept. */
  agents?: Record<string, AgentBehaviour>;
  /** Serve the fake REST API on this port of 127.0.0.1 while the call runs. */
  restPort?: number;
}

/** Without audio, unscheduled keys are pressed this long after the stream starts. */
export const DEFAULT_DTMF_AFTER_MS = 2000;
/** Between the keys of one press, as a person types. */
export const DTMF_GAP_MS = 200;

async function press(call: EmulatedCall, p: DtmfPress, hasAudio: boolean): Promise<void> {
  if (p.atMs !== undefined) {
    if (!(await during(call, p.atMs))) return;
  } else if (hasAudio) {
    const sent = await call.waitFor('caller-audio-sent', { timeoutMs: 3_600_000 }).then(
      () => true,
      () => false,
    );
    if (!sent) return;
  } else if (!(await during(call, DEFAULT_DTMF_AFTER_MS))) {
    return;
  }
  for (const [i, digit] of [...p.digits].entries()) {
    if (i > 0 && !(await during(call, DTMF_GAP_MS))) return;
    call.sendDtmf(digit);
  }
}

export async function runCall(run: CallRun): Promise<CallResult> {
  const timeoutMs = run.timeoutMs ?? 15_000;
  const emulator = new TwilioEmulator({
    authToken: run.authToken,
    accountSid: run.accountSid,
    networkMap: run.target.networkMap,
    webhookTimeoutMs: timeoutMs,
    connectTimeoutMs: Math.min(timeoutMs, 10_000),
    streamConnectTimeoutMs: Math.min(timeoutMs, 10_000),
  });
  let rest: FakeTwilioRest | undefined;
  try {
    if (run.restPort !== undefined) {
      rest = await startFakeTwilioRest({ emulator, authToken: run.authToken, port: run.restPort }).catch(
        (err: unknown) => {
          throw new UsageError(`--rest-port ${run.restPort}: ${(err as Error).message}`);
        },
      );
    }
    const call = emulator.placeCall({
      webhookUrl: run.target.webhookUrl,
      statusCallbackUrl: `${run.target.origin}/webhook/call_status`,
      from: DOCTOR_FROM,
      to: DOCTOR_TO,
      caller: {
        silence: true,
        ...(run.audio ? { audio: run.audio } : {}),
        record: { durationSec: 2 },
        dial: { agents: run.agents ?? {} },
      },
      timeLimitMs: STREAM_START_WAIT_MS + run.durationMs + 4 * timeoutMs,
    });
    if (!(await streamStarted(call))) return call.isFinished ? await call.done : await call.hangUp();
    const presses = (run.dtmf ?? []).map((p) => press(call, p, run.audio !== undefined));
    await during(call, run.durationMs);
    // A transfer is under way: the caller waits for the agents (the time limit still applies).
    if (call.timeline.some((e) => e.kind === 'dial')) await call.done;
    const result = call.isFinished ? await call.done : await call.hangUp();
    await Promise.all(presses);
    return result;
  } finally {
    await emulator.close();
    await rest?.close();
  }
}
