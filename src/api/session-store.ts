// @fastify/session's store interface on our Store: sessions live in the database, keyed by the
// SHA-256 of the id, so any instance sharing the database (and the secret) can serve them.
import { createHash } from 'node:crypto';
import type { Session } from 'fastify';
import type { SessionStore } from '@fastify/session';
import type { Logger } from 'pino';
import type { AuthStore } from '../store/auth-store.js';

export const sidHash = (sessionId: string): string =>
  createHash('sha256').update(sessionId, 'utf8').digest('hex');

/** What of a session is kept: the cookie's settings come from the plugin's options on every load. */
function dataOf(session: Session): Record<string, unknown> {
  const { userId: _u, cookie: _c, ...rest } = session as Session & Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(rest).filter(([, v]) => typeof v === 'string' || typeof v === 'number'),
  );
}

type Callback = (err?: unknown) => void;

export class StoreSessionStore implements SessionStore {
  constructor(
    private readonly store: AuthStore,
    /** Used when a session has no cookie expiry (it always has one with maxAge set). */
    private readonly maxAgeMs: number,
    private readonly log: Logger,
  ) {}

  set(sessionId: string, session: Session, callback: Callback): void {
    const userId = session.userId;
    // Only signed-in sessions are kept; regenerate() saves an empty one first, which is nothing.
    const work =
      typeof userId !== 'number'
        ? this.store.deleteSession(sidHash(sessionId))
        : this.store.saveSession({
            sidHash: sidHash(sessionId),
            userId,
            data: dataOf(session),
            expiresAt: session.cookie.expires ?? new Date(Date.now() + this.maxAgeMs),
          });
    work.then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    this.store.getSession(sidHash(sessionId), new Date()).then(
      (record) =>
        callback(null, record ? ({ ...record.data, userId: record.userId } as unknown as Session) : null),
      (err: unknown) => {
        this.log.error({ err }, 'SESSION_LOAD_FAILED');
        callback(err);
      },
    );
  }

  destroy(sessionId: string, callback: Callback): void {
    this.store.deleteSession(sidHash(sessionId)).then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }
}
