// Runs the store's jobs (transcriptions, analyses) on this instance: every poll it sweeps what is
// due into the jobs table (idempotent), leases as many jobs as it has free slots (bounded
// concurrency), runs each with a timeout, and settles it: done, retried with exponential backoff
// (429, 5xx, network), or failed for good with the reason on the call's timeline. State lives in
// the store, so a restart or another instance carries on; a job whose worker died is taken again
// once its lease ends, and the job's writes are idempotent, so it lands once.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { JobItem, JobKind } from '../store/job-store.js';
import type { Store } from '../store/store.js';
import { JobFailure } from './job-failure.js';

export type JobHandler = (job: JobItem, signal: AbortSignal) => Promise<void>;

export interface JobRunnerOptions {
  store: Store;
  log: Logger;
  /** The kinds this instance can run; a kind without a handler is neither enqueued nor leased. */
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Jobs running at once (TRANSCRIBE_CONCURRENCY). */
  concurrency: number;
  /** A job given up: told to the call's timeline. */
  onGaveUp?(job: JobItem, reason: string): Promise<void>;
  pollMs?: number;
  /** Must exceed timeoutMs: a lease outliving its job keeps a second worker away. */
  leaseMs?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  lookbackMs?: number;
  settleMs?: number;
}

const DEFAULTS = {
  pollMs: 2000,
  leaseMs: 10 * 60_000,
  timeoutMs: 5 * 60_000,
  maxAttempts: 8,
  backoffBaseMs: 5000,
  backoffMaxMs: 60 * 60_000,
  lookbackMs: 24 * 60 * 60_000,
  settleMs: 10_000,
};

export class JobRunner {
  /** Who holds a lease: unique per process start. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly o: typeof DEFAULTS & JobRunnerOptions;
  private readonly aborter = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly kinds: JobKind[];
  private wake: (() => void) | undefined;
  private woken = false;
  private running: Promise<void> | undefined;

  constructor(options: JobRunnerOptions) {
    this.o = { ...DEFAULTS, ...options };
    this.kinds = (Object.keys(options.handlers) as JobKind[]).filter((k) => options.handlers[k]);
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Jobs running on this instance now. */
  get busy(): number {
    return this.inFlight.size;
  }

  /** Something may be due (a recording completed, a call ended): poll now rather than later. */
  nudge(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Stops polling and aborts the jobs in flight (each is released for a retry at once). */
  async stop(): Promise<void> {
    this.aborter.abort();
    this.wake?.();
    await this.running;
    await Promise.all([...this.inFlight]);
  }

  /** Exponential backoff with ±20 % jitter, so instances retrying together spread out. */
  private backoffMs(attempts: number): number {
    const exact = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempts - 1));
    return Math.round(exact * (0.8 + Math.random() * 0.4));
  }

  private async loop(): Promise<void> {
    this.o.log.info({ kinds: this.kinds, concurrency: this.o.concurrency }, 'JOBS_STARTED');
    while (!this.aborter.signal.aborted) {
      try {
        await this.tick();
      } catch (err) {
        this.o.log.error({ err }, 'JOBS_SWEEP_FAILED: retrying at the next poll');
      }
      if (this.woken) {
        this.woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async tick(): Promise<void> {
    const { store } = this.o;
    const now = new Date();
    await store.enqueueDueJobs({
      now,
      lookbackMs: this.o.lookbackMs,
      settleMs: this.o.settleMs,
      transcribe: this.kinds.includes('transcribe'),
      analyze: this.kinds.includes('analyze'),
    });
    const free = this.o.concurrency - this.inFlight.size;
    if (free <= 0 || this.aborter.signal.aborted) return;
    const jobs = await store.claimJobs({
      owner: this.owner,
      now,
      leaseMs: this.o.leaseMs,
      limit: free,
      kinds: this.kinds,
    });
    for (const job of jobs) {
      const running: Promise<void> = this.run(job).finally(() => {
        this.inFlight.delete(running);
        // A slot is free: the next job need not wait for the poll.
        this.nudge();
      });
      this.inFlight.add(running);
    }
  }

  private async run(job: JobItem): Promise<void> {
    const log = this.o.log.child({ callSid: job.callSid, job: job.kind, attempt: job.attempts });
    const handler = this.o.handlers[job.kind]!;
    const started = Date.now();
    try {
      await handler(job, AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.o.timeoutMs)]));
    } catch (err) {
      return this.settle(job, err, log);
    }
    try {
      const mine = await this.o.store.markJobDone(job.id, this.owner, new Date());
      if (mine) log.info({ ms: Date.now() - started }, 'JOB_DONE');
      else log.warn('JOB_DONE after its lease passed to another worker');
    } catch (err) {
      log.error({ err }, 'JOB_SETTLE_FAILED: a finished job could not be marked done (it runs again, once)');
    }
  }

  /** A failed attempt: retry after the backoff, or give up (a final 4xx, or attempts used up). */
  private async settle(job: JobItem, err: unknown, log: Logger): Promise<void> {
    const stopping = this.aborter.signal.aborted;
    const failure =
      err instanceof JobFailure
        ? err
        : new JobFailure(
            (err as Error)?.name === 'TimeoutError' ? 'timed out' : String((err as Error)?.message ?? err),
            true,
          );
    const reason = stopping ? 'stopped: the server is stopping' : failure.message;
    const giveUp = !stopping && (!failure.retryable || job.attempts >= this.o.maxAttempts);
    const now = new Date();
    // Stopping is not the job's fault: it is free for the next instance at once.
    const retryAt = giveUp ? null : new Date(now.getTime() + (stopping ? 0 : this.backoffMs(job.attempts)));
    try {
      const mine = await this.o.store.markJobFailed(job.id, this.owner, { error: reason, retryAt, at: now });
      if (!mine) return;
      if (giveUp) {
        log.error({ reason, status: failure.status }, 'JOB_GAVE_UP');
        await this.o.onGaveUp?.(job, reason);
      } else {
        log.warn({ reason, status: failure.status, retryAt }, 'JOB_RETRY');
      }
    } catch (storeErr) {
      log.error({ err: storeErr }, 'JOB_SETTLE_FAILED: a failed job could not be settled (its lease lapses)');
    }
  }
}
