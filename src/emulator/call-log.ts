// A call's record as it happens: the timeline, the violations Twilio would flag, and waiting for an
// event (already recorded or still to come).
import { severityOf, type TwilioCode } from './codes.js';
import type { TimelineEvent, Violation } from './types.js';

export class CallLog {
  readonly timeline: TimelineEvent[] = [];
  readonly violations: Violation[] = [];
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly clock: () => number,
    private readonly onEvent?: (event: TimelineEvent) => void,
  ) {}

  event(kind: string, detail: Record<string, unknown> = {}): void {
    const event = { t: this.clock(), kind, detail };
    this.timeline.push(event);
    this.onEvent?.(event);
    this.wake();
  }

  violate(code: TwilioCode, message: string, streamSid?: string): void {
    this.violations.push({
      code,
      severity: severityOf(code),
      message,
      at: this.clock(),
      ...(streamSid ? { streamSid } : {}),
    });
    this.event('violation', { code, message });
  }

  /** No more events will come: pending waits for missing events fail now. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  waitFor(
    kind: string,
    options: { timeoutMs?: number; match?: (e: TimelineEvent) => boolean },
    what: string,
  ): Promise<TimelineEvent> {
    const matches = (e: TimelineEvent) => e.kind === kind && (options.match?.(e) ?? true);
    const found = this.timeline.find(matches);
    if (found) return Promise.resolve(found);
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.timeline.find(matches);
        if (hit) {
          cleanup();
          resolve(hit);
        } else if (this.closed) {
          cleanup();
          reject(new Error(`${what} ended without a "${kind}" event`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${what}: no "${kind}" event within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}
