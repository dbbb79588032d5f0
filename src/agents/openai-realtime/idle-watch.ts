// A silent caller on the Realtime agent: once the agent has nothing to say and its audio has been
// heard (Twilio's marks, not the model's last delta), caller silence is timed; each lapse is a
// check-in, and after the last one the agent says goodbye and hangs up. Speech or a key starts
// the count over. Owns its one timer, cleared when the call ends.
import type { Logger } from 'pino';
import type { ResponseRequest } from './client-events.js';
import { IDLE_CHECK_IN, IDLE_GOODBYE } from './instructions.js';

export interface IdleHost {
  /** The agent owes nothing: live, no response active, queued or waiting on a tool. */
  quiet(): boolean;
  /** Resolves once the agent's audio queued so far has been heard (or cleared). */
  whenPlayed(): Promise<void>;
  /** One model response with these instructions. */
  ask(request: ResponseRequest): void;
  /** Ends the call once the model's last words have been heard. */
  end(reason: string, outcome: string): void;
  /** A step on the call's timeline. */
  timeline(name: string, detail: Record<string, unknown>): void;
  log(): Logger;
}

export class IdleWatch {
  private reprompts = 0;
  private speaking = false;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by every change, so a wait on older audio does not start the clock. */
  private generation = 0;
  private waiting = false;
  private stopped = false;

  constructor(
    private readonly opts: { repromptMs: number; maxReprompts: number },
    private readonly host: IdleHost,
  ) {}

  /** The provider heard the caller start speaking: the check-ins start over. */
  speechStarted(): void {
    this.speaking = true;
    this.reprompts = 0;
    this.disarm();
  }

  speechStopped(): void {
    this.speaking = false;
    this.update();
  }

  /** A key: the check-ins start over, and the silence is timed from now. */
  keyPressed(): void {
    this.reprompts = 0;
    this.disarm();
    this.update();
  }

  /** A new upstream session: nothing of the old one's speech carries over. */
  reset(): void {
    this.speaking = false;
    this.disarm();
  }

  /** Something changed: time the silence if all is quiet, else stop timing it. */
  update(): void {
    if (this.stopped) return;
    if (!this.quiet()) return this.disarm();
    if (this.timer !== undefined || this.waiting) return;
    const generation = ++this.generation;
    this.waiting = true;
    void this.host.whenPlayed().then(() => {
      if (generation !== this.generation || this.stopped) return;
      this.waiting = false;
      if (this.quiet()) this.timer = setTimeout(() => this.lapse(), this.opts.repromptMs);
    });
  }

  /** The call is ending: nothing more is timed. */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private quiet(): boolean {
    return !this.speaking && this.host.quiet();
  }

  private lapse(): void {
    this.timer = undefined;
    if (this.stopped || !this.quiet()) return;
    const { host } = this;
    try {
      if (this.reprompts >= this.opts.maxReprompts) {
        this.stop();
        host.log().info({ reprompts: this.reprompts }, 'REALTIME_IDLE_HANGUP');
        host.timeline('idle-hangup', { reprompts: this.reprompts });
        host.ask({ instructions: IDLE_GOODBYE, metadata: { purpose: 'idle_goodbye' } });
        host.end('caller silent', 'idle-hangup');
        return;
      }
      this.reprompts += 1;
      host.log().info({ n: this.reprompts, silentMs: this.opts.repromptMs }, 'REALTIME_IDLE_CHECK_IN');
      host.timeline('idle-reprompt', { n: this.reprompts, silentMs: this.opts.repromptMs });
      host.ask({ instructions: IDLE_CHECK_IN, metadata: { purpose: 'idle_check_in' } });
    } catch (err) {
      host.log().error({ err }, 'REALTIME_BUG: the idle timer threw');
    }
  }

  private disarm(): void {
    this.generation += 1;
    this.waiting = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
