// Transcription and post-call analysis, composed from the configuration: nothing runs (and no
// request leaves the machine) unless TRANSCRIBE_URL is set; LLM_URL adds the analysis.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { CallEvents } from '../call/call-events.js';
import { recordingAudioFor } from '../recordings/recording-audio.js';
import type { Store } from '../store/store.js';
import { OpenAiCallAnalyzer, type CallAnalyzer } from './call-analyzer.js';
import { JobRunner, type JobRunnerOptions } from './job-runner.js';
import { OpenAiTranscriber, type Transcriber } from './transcriber.js';
import { transcriptionWork } from './transcription-work.js';
import { transcriptionStatus } from './transcription-status.js';
import type { BlobStore } from '../blobs/blob-store.js';

export { transcriptionStatus, type TranscriptionStatus } from './transcription-status.js';

export interface TranscriptionJobsDeps {
  config: Config;
  store: Store;
  events: CallEvents;
  log: Logger;
  /** The Twilio auth token the server uses (voicemails are fetched with the account). */
  authToken: string;
  /** Where recordings are kept (the same store every instance's API serves them from). */
  blobs: BlobStore;
  /** Tests: other clients, shorter timings. */
  transcriber?: Transcriber;
  analyzer?: CallAnalyzer;
  timing?: Partial<Omit<JobRunnerOptions, 'store' | 'log' | 'handlers' | 'concurrency'>>;
}

export interface TranscriptionJobs {
  readonly runner: JobRunner;
  start(): void;
  /** Aborts the jobs in flight (released for a retry at once) and stops listening for events. */
  stop(): Promise<void>;
}

/** The job runner for this instance, or undefined when transcription is off. */
export function transcriptionJobs(deps: TranscriptionJobsDeps): TranscriptionJobs | undefined {
  const { config, store, events, log } = deps;
  if (!config.transcription) {
    log.info('TRANSCRIPTION_OFF: TRANSCRIBE_URL is not set; voicemails and answers stay audio only');
    return undefined;
  }
  const status = transcriptionStatus(config);
  const transcriber = deps.transcriber ?? new OpenAiTranscriber(config.transcription);
  const analyzer = deps.analyzer ?? (config.llm ? new OpenAiCallAnalyzer(config.llm) : undefined);
  const handlers = transcriptionWork({
    store,
    events,
    log,
    recordings: recordingAudioFor(config, deps.authToken, log, deps.blobs),
    transcriber,
    analyzer,
    deleteTwilioRecordings: config.deleteTwilioRecordings,
  });
  const runner = new JobRunner({
    ...deps.timing,
    store,
    log,
    handlers,
    concurrency: config.transcription.concurrency,
    async onGaveUp(job, reason) {
      await store.addCallEvent({
        callSid: job.callSid,
        kind: 'job',
        name: job.kind === 'transcribe' ? 'transcription-failed' : 'analysis-failed',
        detail: { reason, recordingSid: job.recordingSid, attempts: job.attempts },
        at: new Date(),
        dedupeKey: `job-failed:${job.jobKey}`,
      });
    },
  });
  // A recording completed, an answer saved, a call ended: look for due jobs now.
  const unsubscribe = events.subscribe((e) => {
    if (e.type === 'recording' || e.type === 'call.status' || e.type === 'call.ended') runner.nudge();
    else if (e.type === 'lead.saved' && !('analysis' in e.fields)) runner.nudge();
  });
  log.info(
    { transcribeHost: status.transcribeHost, llmHost: status.llmHost, model: status.model },
    'TRANSCRIPTION_ON',
  );
  return {
    runner,
    start: () => runner.start(),
    async stop() {
      unsubscribe();
      await runner.stop();
    },
  };
}
