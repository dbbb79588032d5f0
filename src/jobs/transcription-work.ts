// What one job does. transcribe: a voicemail (fetched from Twilio once, kept 0600) or an answer
// clip (already on disk) sent to the Transcriber; the text goes on the recording and, once, as a
// caller turn; an answer's text also beside its clip in the lead's field; Twilio's copy of a
// voicemail is deleted when DELETE_TWILIO_RECORDINGS says so. analyze: the call's transcript to
// the CallAnalyzer; the summary (unless the agent wrote one) and the fields into the call's lead.
import type { Logger } from 'pino';
import type { CallEvents } from '../call/call-events.js';
import { AudioUnavailable, type AudioFile, type RecordingAudio } from '../recordings/recording-audio.js';
import type { JobItem } from '../store/job-store.js';
import type { RecordingRecord, Store } from '../store/store.js';
import type { CallAnalyzer, AnalysisInput } from './call-analyzer.js';
import { JobFailure } from './job-failure.js';
import type { JobHandler } from './job-runner.js';
import type { Transcriber } from './transcriber.js';

/** OpenAI's upload limit; self-hosted servers take this much at least. */
const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

export interface TranscriptionWorkDeps {
  store: Store;
  events: CallEvents;
  recordings: RecordingAudio;
  log: Logger;
  transcriber: Transcriber | undefined;
  analyzer: CallAnalyzer | undefined;
  deleteTwilioRecordings: boolean;
}

/** The lead field holding an answer clip: `{clip: <RecordingSid>, …}`, as the flow agent saves it. */
function clipField(fields: Record<string, unknown>, recordingSid: string) {
  for (const [field, value] of Object.entries(fields)) {
    if (value && typeof value === 'object' && (value as { clip?: unknown }).clip === recordingSid)
      return { field, value: value as Record<string, unknown> };
  }
  return undefined;
}

/** Audio of a recording, as the CRM's player gets it; Twilio's "not there yet" is worth a retry. */
async function audioOf(recordings: RecordingAudio, rec: RecordingRecord): Promise<Buffer> {
  let audio: AudioFile;
  try {
    audio = await recordings.open(rec);
  } catch (err) {
    if (!(err instanceof AudioUnavailable)) throw err;
    // 404: Twilio may not have finished the file; 502: Twilio or the disk failed this time.
    const retryable = err.code === 'RECORDING_NOT_AT_TWILIO' || err.code === 'TWILIO_FETCH_FAILED';
    throw new JobFailure(`the audio could not be opened: ${err.message}`, retryable);
  }
  if (audio.size > MAX_UPLOAD_BYTES)
    throw new JobFailure(`the recording is ${audio.size} bytes, over the 25 MB a transcription takes`, false);
  const chunks: Buffer[] = [];
  for await (const chunk of await audio.read()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function transcriptionWork(deps: TranscriptionWorkDeps): {
  transcribe?: JobHandler;
  analyze?: JobHandler;
} {
  const { store, events, log } = deps;

  const transcribe = async (job: JobItem, signal: AbortSignal): Promise<void> => {
    const transcriber = deps.transcriber!;
    const rec = job.recordingSid ? await store.getRecording(job.recordingSid) : undefined;
    if (!rec) throw new JobFailure('the recording is no longer in the store', false);
    let text = rec.transcript;
    let fresh = false;
    if (text === undefined) {
      const data = await audioOf(deps.recordings, rec);
      const result = await transcriber.transcribe(
        { data, filename: `${rec.recordingSid}.wav`, contentType: 'audio/wav' },
        signal,
      );
      text = result.text;
      fresh = true;
    }
    // Also when the text was stored by an earlier run that died before its turn: the turn lands once.
    const added = await store.saveRecordingTranscript({
      recordingSid: rec.recordingSid,
      text,
      at: new Date(),
      // At the recording's time, so the transcript reads in the order things were said.
      turn: { callSid: rec.callSid, role: 'caller', at: rec.createdAt },
    });
    text = (await store.getRecording(rec.recordingSid))?.transcript ?? text;
    if (added && text)
      events.publish({ type: 'transcript', callSid: rec.callSid, role: 'caller', text, at: new Date() });
    if (fresh)
      log.info(
        { callSid: rec.callSid, recordingSid: rec.recordingSid, chars: text.length, stored: added },
        'TRANSCRIBED',
      );
    let field: string | undefined;
    if (rec.source === 'answer') {
      const lead = await store.getLeadForCall(rec.callSid);
      const found = lead && clipField(lead.fields, rec.recordingSid);
      if (found && found.value.text !== text) {
        await store.saveLead({
          callSid: rec.callSid,
          contactId: lead.contactId,
          fields: { [found.field]: { ...found.value, text } },
          at: new Date(),
        });
      }
      field = found?.field;
    }
    if (rec.source === 'voicemail' && deps.deleteTwilioRecordings) {
      const deleted = await deps.recordings.deleteAtTwilio(rec).catch((err: unknown) => {
        log.warn({ recordingSid: rec.recordingSid, err: (err as Error).message }, 'VOICEMAIL_DELETE_FAILED');
        return false;
      });
      if (deleted)
        await store.addCallEvent({
          callSid: rec.callSid,
          kind: 'recording',
          name: 'deleted-at-twilio',
          detail: { recordingSid: rec.recordingSid },
          at: new Date(),
          dedupeKey: `deleted-at-twilio:${rec.recordingSid}`,
        });
    }
    events.publish({
      type: 'job.done',
      callSid: rec.callSid,
      job: 'transcribe',
      recordingSid: rec.recordingSid,
      field: field ?? null,
      at: new Date(),
    });
  };

  const analyze = async (job: JobItem, signal: AbortSignal): Promise<void> => {
    const analyzer = deps.analyzer!;
    const call = await store.getCall(job.callSid);
    if (!call) throw new JobFailure('the call is no longer in the store', false);
    if (call.summary !== null) return; // the agent summarised it itself
    const [turns, recs, lead] = await Promise.all([
      store.listTranscript(job.callSid),
      store.listRecordings(job.callSid),
      store.getLeadForCall(job.callSid),
    ]);
    // An answer's turn is the text of its clip: the model is told which question it answers.
    const fieldOfText = new Map<string, string>();
    for (const r of recs) {
      const found = r.source === 'answer' && r.transcript && lead && clipField(lead.fields, r.recordingSid);
      if (found) fieldOfText.set(r.transcript!, found.field);
    }
    const input: AnalysisInput = {
      kind: recs.some((r) => r.source === 'voicemail') ? 'voicemail' : 'flow',
      turns: turns
        .filter((t) => t.text.trim() !== '')
        .map((t) => {
          const field = t.role === 'caller' ? fieldOfText.get(t.text) : undefined;
          return { role: t.role, text: t.text, ...(field ? { field } : {}) };
        }),
    };
    if (input.turns.length === 0) return; // silence: nothing to summarise
    const analysis = await analyzer.analyze(input, signal);
    const { summary, ...fields } = analysis;
    await store.setCallSummaryIfEmpty(job.callSid, summary);
    await store.saveLead({
      callSid: job.callSid,
      contactId: call.contactId,
      fields: { analysis: fields },
      at: new Date(),
    });
    log.info({ callSid: job.callSid, turns: input.turns.length }, 'CALL_ANALYSED');
    events.publish({
      type: 'job.done',
      callSid: job.callSid,
      job: 'analyze',
      recordingSid: null,
      field: null,
      at: new Date(),
    });
  };

  return {
    ...(deps.transcriber ? { transcribe } : {}),
    ...(deps.transcriber && deps.analyzer ? { analyze } : {}),
  };
}
