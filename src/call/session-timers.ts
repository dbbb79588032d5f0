// One stream's timers, owned by its CallSession: deadlines, and the ping heartbeat that ends a
// peer gone quiet. clear() at the end of the session releases them all.
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { SESSION_LIMITS } from './session-limits.js';

export class SessionTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** Pings the peer every heartbeatMs; one that sent nothing since the last ping is terminated. */
export class Heartbeat {
  private alive = true;

  constructor(ws: WebSocket, timers: SessionTimers, log: () => Logger) {
    ws.on('pong', () => {
      this.alive = true;
    });
    timers.every(SESSION_LIMITS.heartbeatMs, () => {
      if (!this.alive) {
        log().warn('WS_IDLE: no pong since the last ping; terminating');
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    });
  }

  /** Any frame proves the peer alive; pings only matter when the line goes quiet. */
  heard(): void {
    this.alive = true;
  }
}
