// What a live call can be made to do beyond audio: hang up and transfer through Twilio's REST API,
// and record the call (one WAV per stream). Hang-up and transfer fall back to closing the stream
// (Twilio then runs the <Connect action>: voicemail) when REST is unavailable or fails.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { TwilioCallsApi } from '../twilio/rest.js';
import type { TransferTarget } from '../routing/router.js';
import { dialTwiml } from '../twilio/twiml.js';
import { CallRecorder } from './recorder.js';
import { SLOW_WRITE_MS } from './recording-file.js';
import { localRecordingSid } from '../store/recording-sid.js';

export interface CallActionContext {
  callSid: string;
  log: Logger;
  store: Store;
  twilioCalls: TwilioCallsApi | undefined;
  /** Public http(s) origin the call was reached on (absolute URLs in REST-updated TwiML). */
  httpOrigin: string;
  /** Closes the media stream normally: the caller reaches voicemail. */
  closeStream(reason: string): void;
}

export async function hangUpCall(
  c: CallActionContext,
  reason: string,
  outcome = `hangup: ${reason}`,
): Promise<void> {
  c.log.info({ reason }, 'HANGUP');
  await c.store.setCallOutcome(c.callSid, outcome).catch(() => undefined);
  if (!c.twilioCalls) {
    c.log.warn(
      'HANGUP without Twilio REST credentials: closing the stream instead (caller reaches voicemail)',
    );
    return c.closeStream('hangup');
  }
  try {
    await c.twilioCalls.hangUp(c.callSid);
  } catch (err) {
    c.log.error({ err }, 'HANGUP_FAILED: closing the stream instead');
    c.closeStream('hangup failed');
  }
}

export async function transferCall(c: CallActionContext, target: TransferTarget): Promise<void> {
  if (target.kind === 'voicemail' || !c.twilioCalls) {
    c.log.info({ target }, 'TRANSFER to voicemail');
    return c.closeStream('voicemail');
  }
  c.log.info({ label: target.label }, 'TRANSFER');
  try {
    await c.twilioCalls.updateTwiml(
      c.callSid,
      dialTwiml({ origin: c.httpOrigin, number: target.number, timeoutSec: 25 }),
    );
    await c.store.setCallOutcome(c.callSid, `transferred: ${target.label}`).catch(() => undefined);
  } catch (err) {
    c.log.error({ err }, 'TRANSFER_FAILED: caller goes to voicemail');
    c.closeStream('transfer failed');
  }
}

/** Starts the stream's recording: DATA_DIR/calls/<CallSid>/call-<StreamSid>.wav. */
export function startRecording(
  dataDir: string,
  ids: { callSid: string; streamSid: string },
  log: Logger,
): CallRecorder {
  return new CallRecorder(path.join(dataDir, 'calls', ids.callSid, `call-${ids.streamSid}.wav`), (ms) =>
    log.warn(
      { ms, limitMs: SLOW_WRITE_MS },
      'RECORDING_DISK_SLOW: a recording write blocked too long; recordings are written asynchronously from now on',
    ),
  );
}

/** Finishes the recording file and lists it with the call; a failure is logged, never thrown. */
export async function saveRecording(
  c: Pick<CallActionContext, 'callSid' | 'log' | 'store'>,
  recorder: CallRecorder,
): Promise<void> {
  try {
    const seconds = await recorder.finish();
    await c.store.upsertRecording({
      recordingSid: localRecordingSid(),
      callSid: c.callSid,
      url: recorder.file,
      durationSec: Math.round(seconds),
      status: 'completed',
      source: 'call-audio',
      at: new Date(),
    });
    c.log.info({ file: recorder.file, seconds }, 'CALL_AUDIO_SAVED');
  } catch (err) {
    c.log.error({ err, file: recorder.file }, 'CALL_AUDIO_NOT_SAVED');
  }
}
