// What a live call can be made to do beyond audio: hang up and transfer through Twilio's REST API,
// send the caller to voicemail, and record the call (one WAV per stream). Hang-up and transfer fall
// back to closing the stream (Twilio then runs the <Connect action>: voicemail) when REST fails.
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { TwilioCallsApi } from '../twilio/rest.js';
import type { Handoff } from '../agents/agent.js';
import type { TransferDesk } from './transfer/transfer-desk.js';
import { CallRecorder } from './recorder.js';
import { SLOW_WRITE_MS } from './recording-file.js';
import { localRecordingSid } from '../store/recording-sid.js';
import { pathInside } from '../data-path.js';

export interface CallActionContext {
  callSid: string;
  log: Logger;
  store: Store;
  twilioCalls: TwilioCallsApi | undefined;
  /** Public http(s) origin the call was reached on (absolute URLs in REST-updated TwiML). */
  httpOrigin: string;
  transfers: TransferDesk;
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

export async function transferCall(c: CallActionContext, handoff: Handoff): Promise<void> {
  if (handoff.kind === 'voicemail') return toVoicemail(c, handoff.reason, handoff.prompt);
  const { route } = handoff;
  if (!c.twilioCalls) {
    c.log.warn('TRANSFER without Twilio REST credentials: the caller goes to voicemail instead');
    return toVoicemail(c, 'no-twilio-rest', route.noAnswerPrompt);
  }
  c.log.info(
    { department: route.department, groups: route.groups.map((g) => g.map((a) => a.agentId)) },
    'TRANSFER',
  );
  let twiml: string;
  try {
    twiml = await c.transfers.start({
      callSid: c.callSid,
      origin: c.httpOrigin,
      route,
      ...(handoff.topic ? { topic: handoff.topic } : {}),
    });
  } catch (err) {
    c.log.error({ err }, 'TRANSFER_FAILED: caller goes to voicemail');
    return c.closeStream('transfer failed');
  }
  try {
    await c.twilioCalls.updateTwiml(c.callSid, twiml);
  } catch (err) {
    c.log.error({ err }, 'TRANSFER_FAILED: caller goes to voicemail');
    await c.transfers.abandon(c.callSid).catch((e: unknown) => c.log.error({ err: e }, 'TRANSFER_FAILED'));
    c.closeStream('transfer failed');
  }
}

/** Ends the stream so the <Connect action> records a message, saying `prompt` first (null: nothing). */
async function toVoicemail(c: CallActionContext, reason: string, prompt: string | null): Promise<void> {
  c.log.info({ reason }, 'TO_VOICEMAIL');
  // Stored before the stream closes: the <Connect action> that follows reads it, on any instance.
  await c.transfers
    .markVoicemail(c.callSid, reason, prompt)
    .catch((err: unknown) => c.log.error({ err }, 'TRANSFER_NOTE_FAILED'));
  c.closeStream('voicemail');
}

/**
 * Starts the stream's recording: DATA_DIR/calls/<CallSid>/call-<StreamSid>.wav. Ids that would
 * put it anywhere else (checked at the edge already) mean no recording, never a throw.
 */
export function startRecording(
  dataDir: string,
  ids: { callSid: string; streamSid: string },
  log: Logger,
): CallRecorder | undefined {
  let file: string;
  try {
    file = pathInside(dataDir, 'calls', ids.callSid, `call-${ids.streamSid}.wav`);
  } catch (err) {
    log.error({ err }, 'CALL_AUDIO_NOT_SAVED: the ids do not make a path inside DATA_DIR');
    return undefined;
  }
  return new CallRecorder(file, (ms) =>
    log.warn(
      { ms, limitMs: SLOW_WRITE_MS },
      'RECORDING_DISK_SLOW: a recording write blocked too long; recordings are written asynchronously from now on',
    ),
  );
}

/**
 * Finishes the recording file, hands it to `keep` (the blob store: the url every instance can
 * serve it from) and lists it with the call; a failure is logged, never thrown.
 */
export async function saveRecording(
  c: Pick<CallActionContext, 'callSid' | 'log' | 'store'>,
  recorder: CallRecorder,
  keep: (file: string) => Promise<string> = async (file) => file,
): Promise<void> {
  try {
    const seconds = await recorder.finish();
    await c.store.upsertRecording({
      recordingSid: localRecordingSid(),
      callSid: c.callSid,
      url: await keep(recorder.file),
      durationSec: Math.round(seconds),
      status: 'completed',
      source: 'call-audio',
      at: new Date(),
    });
    c.log.info({ file: recorder.file, seconds }, 'CALL_AUDIO_SAVED');
  } catch (err) {
    // A full or failing disk cut the file short (the call went on without it): listed as
    // incomplete, so the call's record says what happened instead of showing no recording.
    c.log.error(
      { err, file: recorder.file },
      'CALL_AUDIO_INCOMPLETE: the recording could not be written to the end',
    );
    await c.store
      .upsertRecording({
        recordingSid: localRecordingSid(),
        callSid: c.callSid,
        url: recorder.file,
        durationSec: null,
        status: 'incomplete',
        source: 'call-audio',
        at: new Date(),
      })
      .catch((e: unknown) => c.log.error({ err: e, file: recorder.file }, 'CALL_AUDIO_NOT_SAVED'));
  }
}
