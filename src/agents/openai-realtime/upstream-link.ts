// The call's one Realtime session at a time: the pre-warmed socket or a fresh one (one fresh try
// when the pre-warmed one failed to connect), and a bounded reconnect, briefed with the recent
// turns, after a live session is lost. Events of a replaced session are dropped by epoch.
import type { Logger } from 'pino';
import type { RealtimeAgentDeps } from './agent-config.js';
import type { UpstreamSession } from './prewarm-pool.js';
import { describeFailure, type ConnectResult, type RealtimeClient } from './realtime-client.js';
import type { ServerEvent } from './server-events.js';
import { openUpstream } from './upstream.js';

/** The agent behind the link. */
export interface LinkOwner {
  log(): Logger;
  /** The call is over: a session that connects now is closed at once. */
  closed(): boolean;
  /** A session is up and its events flow; `resumed` when an earlier one had been live. */
  connected(resumed: boolean): void;
  event(e: ServerEvent): void;
  /** The current session is gone, or never came. */
  lost(reason: string): void;
  fail(reason: string): void;
}

export class UpstreamLink {
  private session: UpstreamSession | undefined;
  private epochValue = 0;
  private fromPrewarm: boolean;
  private reconnectsLeft: number;
  private wasLive = false;

  constructor(
    private readonly deps: RealtimeAgentDeps,
    private readonly call: { callSid: string; from: string | null },
    private readonly owner: LinkOwner,
    private readonly prewarmed: UpstreamSession | undefined,
  ) {
    this.reconnectsLeft = deps.timings.reconnectAttempts;
    this.fromPrewarm = prewarmed !== undefined;
    // A handed-over call was live elsewhere: its first session resumes (and may reconnect).
    this.wasLive = deps.resuming === true;
  }

  /** The session now; answers for an older one have nowhere to go. */
  get epoch(): number {
    return this.epochValue;
  }

  get client(): RealtimeClient | undefined {
    return this.session?.client;
  }

  /** Takes the pre-warmed session, or opens one. */
  connect(): void {
    this.attach(this.prewarmed ?? this.open());
  }

  send(event: Parameters<RealtimeClient['send']>[0]): boolean {
    return this.session?.client.send(event) ?? false;
  }

  close(reason: string): void {
    this.session?.client.close(reason);
  }

  /** Spends one reconnect, if a live session was lost and any are left. */
  takeReconnect(): boolean {
    if (!this.wasLive || this.reconnectsLeft <= 0) return false;
    this.reconnectsLeft -= 1;
    return true;
  }

  /** Replaces the session with a fresh one, briefed with what was said so far. */
  reconnect(resumeBriefing: string): void {
    this.session?.client.close('replaced');
    this.attach(this.open(resumeBriefing));
  }

  private open(resumeBriefing?: string): UpstreamSession {
    const settings = this.deps.settings({
      callSid: this.call.callSid,
      from: this.call.from,
      ...(resumeBriefing === undefined ? {} : { resumeBriefing }),
    });
    return openUpstream(this.deps.upstream, settings, this.owner.log());
  }

  private attach(session: UpstreamSession): void {
    const epoch = ++this.epochValue;
    this.session = session;
    const startedAt = Date.now();
    void session.ready
      .then((result) => this.onReady(epoch, result, startedAt))
      .catch((err: unknown) => {
        this.owner.log().error({ err }, 'REALTIME_BUG: setting up the session threw');
        this.owner.fail('internal error');
      });
  }

  private onReady(epoch: number, result: ConnectResult, startedAt: number): void {
    const session = this.session;
    if (epoch !== this.epochValue || !session) return;
    if (this.owner.closed()) return void session.client.close('call ended');
    if (!result.ok) {
      const reason = `connect ${describeFailure(result.failure)}`;
      this.owner.log().warn({ reason, prewarmed: this.fromPrewarm }, 'REALTIME_CONNECT_FAILED');
      if (this.fromPrewarm && !this.wasLive) {
        // The pre-warmed socket may have failed long before the call: one fresh attempt.
        this.fromPrewarm = false;
        return this.attach(this.open());
      }
      return this.owner.lost(reason);
    }
    const resumed = this.wasLive;
    this.wasLive = true;
    this.owner
      .log()
      .info(
        { ms: Date.now() - startedAt, resumed, directFrames: session.client.directFrames },
        'REALTIME_CONNECTED',
      );
    session.client.setHandler({
      onEvent: (event) => {
        if (epoch === this.epochValue) this.owner.event(event);
      },
      onClose: (info) => {
        if (epoch !== this.epochValue) return;
        this.owner.log().warn(info, 'REALTIME_CLOSED_BY_PROVIDER');
        this.owner.lost(`provider closed the session (${info.code} ${info.reason})`.trim());
      },
    });
    // Delivering early events may have closed or replaced the session meanwhile.
    if (epoch !== this.epochValue) return;
    this.owner.connected(resumed);
  }
}
