// Response bookkeeping for one upstream session: which response is active, which ones we
// cancelled (their late audio is dropped), and response.create requests held back until the
// conversation is free — only one response may write to the conversation at a time.
import type { ResponseRequest } from './client-events.js';

/** Response ids remembered per set (late deltas of older ones are long gone). */
const MEMORY = 32;
/** How often one request is retried after "conversation already has an active response". */
const MAX_REQUEUES = 3;

interface Pending {
  request: ResponseRequest;
  requeues: number;
  eventId: string;
}

export class ResponseSequencer {
  private active: string | undefined;
  /** A response.create was sent and its response.created has not arrived yet. */
  private inFlight: Pending | undefined;
  private readonly queue: Pending[] = [];
  private readonly cancelled = new Set<string>();
  private readonly withAudio = new Set<string>();
  private lastWithAudio: string | undefined;
  /** Tool calls by the response that made them: still running, answered, response done. */
  private readonly calls = new Map<string, { running: number; outputs: number; done: boolean }>();
  private idleWaiters: (() => void)[] = [];
  private seq = 0;

  constructor(private readonly send: (request: ResponseRequest, eventId: string) => boolean) {}

  /** A response was asked for and has not finished: the provider owes us events. */
  get owed(): boolean {
    return this.busy();
  }

  get activeId(): string | undefined {
    return this.active;
  }

  isCancelled(responseId: string): boolean {
    return this.cancelled.size > 0 && this.cancelled.has(responseId);
  }

  /** Whether the response spoke (e.g. said goodbye before calling end_call). */
  hadAudio(responseId: string): boolean {
    return this.withAudio.has(responseId);
  }

  /** Asks for a response now, or as soon as the conversation is free. */
  request(request: ResponseRequest = {}): void {
    const pending = { request, requeues: 0, eventId: '' };
    if (this.busy()) this.queue.push(pending);
    else this.dispatch(pending);
  }

  onCreated(responseId: string): void {
    this.active = responseId;
    this.inFlight = undefined;
  }

  onAudio(responseId: string): void {
    // Fifty deltas a second come from one response: remembered once, not hashed each time.
    if (responseId === this.lastWithAudio) return;
    this.lastWithAudio = responseId;
    remember(this.withAudio, responseId);
  }

  /** Marks a response cancelled by us; false if it already was. */
  cancel(responseId: string): boolean {
    if (this.cancelled.has(responseId)) return false;
    remember(this.cancelled, responseId);
    return true;
  }

  /**
   * An error event about one of our response.create events (matched by event_id): when another
   * response was active it is retried after that one, otherwise it is dropped.
   */
  onRequestError(eventId: string | undefined, conflict: boolean): boolean {
    const pending = this.inFlight;
    // Without an event_id only a conflict can be pinned on the request in flight.
    if (!pending || (eventId ? pending.eventId !== eventId : !conflict)) return false;
    this.inFlight = undefined;
    if (conflict && pending.requeues < MAX_REQUEUES) {
      pending.requeues += 1;
      this.queue.unshift(pending);
    }
    this.pump();
    return true;
  }

  onDone(responseId: string): void {
    if (this.active === responseId) this.active = undefined;
    const calls = this.calls.get(responseId);
    if (calls) {
      calls.done = true;
      this.maybeFollowUp(responseId);
    }
    this.pump();
  }

  /** A tool call of `responseId` started running. */
  callStarted(responseId: string): void {
    const c = this.calls.get(responseId) ?? { running: 0, outputs: 0, done: false };
    c.running += 1;
    this.calls.set(responseId, c);
  }

  /**
   * A tool call finished; `respond` says whether its output needs a model turn. Once the response
   * is done and all of its calls have answered, one response.create follows (the docs: an output
   * does not trigger a response by itself).
   */
  callFinished(responseId: string, respond: boolean): void {
    const c = this.calls.get(responseId);
    if (!c) return;
    c.running -= 1;
    if (respond) c.outputs += 1;
    this.maybeFollowUp(responseId);
  }

  /** Nothing active, nothing queued, no tool still running. */
  idle(): boolean {
    return !this.busy() && this.queue.length === 0 && this.calls.size === 0;
  }

  whenIdle(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** A new upstream session: nothing carries over, and nobody waits on the old one. */
  reset(): void {
    this.active = undefined;
    this.inFlight = undefined;
    this.queue.length = 0;
    this.calls.clear();
    this.releaseIdle();
  }

  private maybeFollowUp(responseId: string): void {
    const c = this.calls.get(responseId);
    if (!c || !c.done || c.running > 0) return;
    this.calls.delete(responseId);
    if (c.outputs > 0) this.request();
    else this.pump();
  }

  private busy(): boolean {
    return this.active !== undefined || this.inFlight !== undefined;
  }

  private dispatch(pending: Pending): void {
    this.seq += 1;
    pending.eventId = `rc_${this.seq}`;
    if (this.send(pending.request, pending.eventId)) this.inFlight = pending;
  }

  private pump(): void {
    while (!this.busy() && this.queue.length > 0) {
      const next = this.queue.shift();
      if (next) this.dispatch(next);
    }
    if (this.idle()) this.releaseIdle();
  }

  private releaseIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function remember(set: Set<string>, id: string): void {
  set.add(id);
  if (set.size > MEMORY) {
    const oldest = set.values().next().value;
    if (oldest !== undefined) set.delete(oldest);
  }
}
