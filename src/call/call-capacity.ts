// How many calls this instance holds, for MAX_CALLS. A call counts from its incoming_call webhook
// (or, when the webhook went to another instance, from its stream's start here) until its stream
// ends or a final status arrives. A call whose stream never comes (the caller hung up during the
// greeting and the status went elsewhere, or the stream landed on another instance) stops
// counting after `streamTimeoutMs`, so a lost callback cannot leak a line for ever.

export interface CapacityMetrics {
  readonly callsActive: { set(value: number): void };
  readonly callsTotal: { inc(labels: { outcome: string }): void };
  readonly capacityRejections: { inc(labels: { limit: string }): void };
}

export type Admission = 'admitted' | 'retry' | 'full';

interface Held {
  streaming: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class CallCapacity {
  private readonly calls = new Map<string, Held>();

  constructor(
    private readonly opts: {
      maxCalls: number;
      streamTimeoutMs: number;
      metrics: CapacityMetrics;
      /** A call admitted here whose stream never came (logged by the owner). */
      onStreamTimeout?: (callSid: string) => void;
    },
  ) {}

  get active(): number {
    return this.calls.size;
  }

  get max(): number {
    return this.opts.maxCalls;
  }

  get full(): boolean {
    return this.calls.size >= this.opts.maxCalls;
  }

  /** incoming_call: count the call, or say it is over capacity (a retry of a held call is in). */
  admit(callSid: string): Admission {
    if (this.calls.has(callSid)) return 'retry';
    if (this.full) {
      this.opts.metrics.capacityRejections.inc({ limit: 'calls' });
      return 'full';
    }
    const timer = setTimeout(() => {
      const held = this.calls.get(callSid);
      if (!held || held.streaming) return;
      this.release(callSid, 'stream-timeout');
      this.opts.onStreamTimeout?.(callSid);
    }, this.opts.streamTimeoutMs);
    timer.unref();
    this.calls.set(callSid, { streaming: false, timer });
    this.changed();
    return 'admitted';
  }

  /** A stream started here: the call counts until it ends, whichever instance took the webhook. */
  streamStarted(callSid: string): void {
    const held = this.calls.get(callSid);
    if (held) {
      clearTimeout(held.timer);
      held.timer = undefined;
      held.streaming = true;
      return;
    }
    this.calls.set(callSid, { streaming: true, timer: undefined });
    this.changed();
  }

  /** The stream ended, a final status arrived, or the call moved away: it no longer counts. */
  release(callSid: string, outcome: string): void {
    const held = this.calls.get(callSid);
    if (!held) return;
    clearTimeout(held.timer);
    this.calls.delete(callSid);
    this.opts.metrics.callsTotal.inc({ outcome });
    this.changed();
  }

  dispose(): void {
    for (const held of this.calls.values()) clearTimeout(held.timer);
    this.calls.clear();
    this.changed();
  }

  private changed(): void {
    this.opts.metrics.callsActive.set(this.calls.size);
  }
}
