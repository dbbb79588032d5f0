// Pre-warmed Realtime sessions, keyed by CallSid: opened and configured while the greeting plays,
// claimed by the call's agent, and closed if nobody claims them in time. The pool owns each
// session (and its expiry timer) until it is claimed; after that the agent does.
import type { Logger } from 'pino';
import type { ConnectResult, RealtimeClient } from './realtime-client.js';

export interface UpstreamSession {
  client: RealtimeClient;
  /** Resolves when the socket is open and session.update was sent; never rejects. */
  ready: Promise<ConnectResult>;
}

interface Entry {
  session: UpstreamSession;
  timer: NodeJS.Timeout;
}

export class PrewarmPool {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly opts: {
      ttlMs: number;
      /** Bound on sessions waiting at once: a webhook flood must not open unbounded sockets. */
      max: number;
      log: Logger;
    },
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Keeps `open()`'s session for callSid; ignored when one is already waiting or the pool is full. */
  add(callSid: string, open: () => UpstreamSession): void {
    if (this.entries.has(callSid)) return;
    if (this.entries.size >= this.opts.max) {
      this.opts.log.warn({ callSid, max: this.opts.max }, 'REALTIME_PREWARM_SKIPPED: pool full');
      return;
    }
    const session = open();
    const timer = setTimeout(() => {
      if (this.entries.get(callSid)?.session !== session) return;
      this.entries.delete(callSid);
      this.opts.log.info({ callSid, ttlMs: this.opts.ttlMs }, 'REALTIME_PREWARM_EXPIRED: closing');
      session.client.close('pre-warmed session not claimed');
    }, this.opts.ttlMs);
    timer.unref();
    this.entries.set(callSid, { session, timer });
  }

  /** Hands the session over to the caller (who then owns it), or undefined. */
  claim(callSid: string): UpstreamSession | undefined {
    const entry = this.entries.get(callSid);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.entries.delete(callSid);
    return entry.session;
  }

  /** Closes callSid's waiting session, if any (the caller hung up during the greeting). */
  discard(callSid: string, reason: string): void {
    const session = this.claim(callSid);
    if (!session) return;
    this.opts.log.info({ callSid, reason }, 'REALTIME_PREWARM_RELEASED: closing');
    session.client.close(reason);
  }

  closeAll(reason: string): void {
    for (const [callSid, entry] of this.entries) {
      clearTimeout(entry.timer);
      entry.session.client.close(reason);
      this.entries.delete(callSid);
    }
  }
}
