// The live feed behind GET /events: every call event gets an id and is kept in a small ring
// for Last-Event-ID replay, then written to each connected client without ever waiting on one
// (a client that stops reading is dropped). `push` is the one input: the bus feeds it every
// instance's events with the id their instance gave them (src/bus/live-events.ts), so the rings of
// all instances hold the same ids and a reconnect to any of them replays.
import type { Logger } from 'pino';
import type { LiveCallEvent } from '../call/call-events.js';

/** What the feed needs of a connection: Node's http.ServerResponse is one. */
export interface FeedOutput {
  write(chunk: string): boolean;
  readonly writableLength: number;
  end(): void;
  destroy(): void;
}

export interface LiveFeedOptions {
  log: Logger;
  /** Events kept for replay (default 500). */
  capacity?: number;
  /** A client with more than this unsent is dropped (default 256 KiB). */
  maxBufferedBytes?: number;
  /** Comment lines keep proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
}

const RESET_DATA = JSON.stringify({ reason: 'the events after Last-Event-ID are no longer kept: reload' });

interface Entry {
  id: string;
  frame: string;
}

export class LiveFeed {
  /** Ids made here (when push is given none) are `<epoch>-<seq>`: never one from before a restart. */
  private readonly epoch = Date.now().toString(36);
  private seq = 0;
  private readonly ring: Entry[] = [];
  private readonly clients = new Set<FeedOutput>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly capacity: number;
  private readonly maxBuffered: number;

  constructor(private readonly opts: LiveFeedOptions) {
    this.capacity = opts.capacity ?? 500;
    this.maxBuffered = opts.maxBufferedBytes ?? 256 * 1024;
  }

  get size(): number {
    return this.clients.size;
  }

  push(event: LiveCallEvent, id = `${this.epoch}-${++this.seq}`): void {
    const { type, at, ...body } = event;
    const frame = `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ id, type, ...body, at })}\n\n`;
    this.ring.push({ id, frame });
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const client of this.clients) this.send(client, frame);
  }

  /**
   * Starts sending to `out`. With a Last-Event-ID the events after it are replayed first; when
   * they are no longer all in the ring (too old, a restart, an instance newer than the id) a `reset` event
   * tells the client to reload what it shows. Returns the detach function.
   */
  attach(out: FeedOutput, lastEventId?: string): () => void {
    if (lastEventId !== undefined) {
      const replay = this.after(lastEventId);
      if (replay) for (const entry of replay) out.write(entry.frame);
      else out.write(`event: reset\ndata: ${RESET_DATA}\n\n`);
    }
    this.clients.add(out);
    this.heartbeat ??= setInterval(() => {
      for (const client of this.clients) this.send(client, ': keep-alive\n\n');
    }, this.opts.heartbeatMs ?? 15_000).unref();
    return () => this.detach(out);
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    for (const client of this.clients) client.end();
    this.clients.clear();
    this.stopHeartbeat();
  }

  /** The ring's entries after `lastEventId`, or undefined when some of them are missing. */
  private after(lastEventId: string): Entry[] | undefined {
    // The ring is small (500): a scan from the newest end is cheaper than keeping an index.
    for (let i = this.ring.length - 1; i >= 0; i--) {
      if (this.ring[i]!.id === lastEventId) return this.ring.slice(i + 1);
    }
    return undefined;
  }

  private send(client: FeedOutput, frame: string): void {
    if (client.writableLength + frame.length > this.maxBuffered) {
      this.opts.log.warn(
        { buffered: client.writableLength, limit: this.maxBuffered },
        'SSE_CLIENT_DROPPED: the client is not reading its events',
      );
      this.detach(client);
      client.destroy();
      return;
    }
    client.write(frame);
  }

  private detach(client: FeedOutput): void {
    this.clients.delete(client);
    if (this.clients.size === 0) this.stopHeartbeat();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
