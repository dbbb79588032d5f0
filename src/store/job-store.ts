// The durable jobs behind transcription and post-call analysis: enqueued by an idempotent sweep,
// leased by compare-and-swap to one worker of any instance at a time, settled only by the lease's
// owner, and written back through idempotent steps so a job run twice (a lease that outlived its
// worker) changes the records once.
import type { TranscriptTurnInput } from './store.js';

export type JobKind = 'transcribe' | 'analyze';

export interface JobItem {
  id: number;
  /** transcribe:<RecordingSid> | analyze:<CallSid> */
  jobKey: string;
  kind: JobKind;
  callSid: string;
  recordingSid: string | null;
  /** Attempts started, this one included. */
  attempts: number;
  availableAt: Date;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  doneAt: Date | null;
  failedAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

export interface JobSweep {
  now: Date;
  /** Recordings and calls older than this are left alone (a store full of history is not re-done). */
  lookbackMs: number;
  /** A call is analysed once it ended at least this long ago (late recording callbacks). */
  settleMs: number;
  transcribe: boolean;
  analyze: boolean;
}

export interface RecordingTranscript {
  recordingSid: string;
  text: string;
  at: Date;
  /**
   * The caller turn the stored transcript becomes (its text is the stored one, never empty), added
   * once per recording however often this is called.
   */
  turn?: Omit<TranscriptTurnInput, 'text'>;
}

export interface JobStore {
  /**
   * Enqueues a transcription for every recent voicemail (completed) and answer clip without a
   * transcript, and an analysis for every settled call whose clips are all transcribed (or failed
   * for good) and that has no summary. Returns how many jobs it added.
   */
  enqueueDueJobs(sweep: JobSweep): Promise<number>;
  claimJobs(opts: {
    owner: string;
    now: Date;
    leaseMs: number;
    limit: number;
    kinds: readonly JobKind[];
  }): Promise<JobItem[]>;
  /** False when the lease had passed to another worker (its result is then that worker's). */
  markJobDone(id: number, owner: string, at: Date): Promise<boolean>;
  /** retryAt null: failed for good. */
  markJobFailed(
    id: number,
    owner: string,
    failure: { error: string; retryAt: Date | null; at: Date },
  ): Promise<boolean>;
  getJob(jobKey: string): Promise<JobItem | undefined>;
  listJobsForCall(callSid: string): Promise<JobItem[]>;
  /**
   * Sets the transcript unless one is there (true when this call set it), then adds its turn
   * unless added before: two idempotent steps, so a worker dying between them is completed by the
   * next run of the job, and two runs at once write one transcript and one turn.
   */
  saveRecordingTranscript(t: RecordingTranscript): Promise<boolean>;
  /** Sets the call's summary unless it has one (the Realtime agent's own stays). */
  setCallSummaryIfEmpty(callSid: string, summary: string): Promise<boolean>;
}
