// A provider that owes the call a response (a response.create sent, or a response under way) and
// sends nothing at all: its pings may still be answered, so the heartbeat never notices, and the
// caller would wait in silence for good. Past the limit the session counts as lost (one
// reconnect, then the apology and voicemail). Checked on a coarse timer, so the provider's
// events only store a timestamp.

export interface StallHooks {
  /** Whether the provider owes us something right now. */
  owed(): boolean;
  stalled(silentMs: number): void;
}

export class StallWatch {
  private timer: NodeJS.Timeout | undefined;
  private lastHeard = 0;

  constructor(
    private readonly limitMs: number,
    private readonly hooks: StallHooks,
    private readonly now: () => number = Date.now,
  ) {}

  /** The provider said something, or we just asked it for something: the clock starts over. */
  heard(): void {
    this.lastHeard = this.now();
  }

  start(): void {
    this.heard();
    if (this.timer || !(this.limitMs > 0)) return;
    this.timer = setInterval(() => this.check(), Math.max(50, Math.min(1000, this.limitMs / 4)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const silentMs = this.now() - this.lastHeard;
    if (silentMs < this.limitMs || !this.hooks.owed()) return;
    this.heard(); // one report per stall; the owner replaces the session or gives up
    this.hooks.stalled(silentMs);
  }
}
