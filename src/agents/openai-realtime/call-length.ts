// The call's length limit: a wrap-up note to the model near OpenAI's session limit, then a hard
// stop. Owns its two timers (cleared when the call ends another way); a throw in one is logged.
import type { Logger } from 'pino';
import type { RealtimeTimings } from './agent-config.js';

export class CallLengthLimit {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly log: () => Logger) {}

  start(
    timings: Pick<RealtimeTimings, 'wrapUpAfterMs' | 'hardStopAfterMs'>,
    on: { wrapUp(): void; hardStop(): void },
  ): void {
    this.after(timings.wrapUpAfterMs, () => on.wrapUp());
    this.after(timings.hardStopAfterMs, () => on.hardStop());
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        fn();
      } catch (err) {
        this.log().error({ err }, 'REALTIME_BUG: a timer threw');
      }
    }, ms);
    this.timers.add(t);
  }
}
