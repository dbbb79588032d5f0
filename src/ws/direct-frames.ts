// The one way the rest of the code reads and writes a ws connection's text frames: straight off
// and onto ws's socket when it can (frame-reader.ts, text-frames.ts, client-frames.ts; a call's two
// sockets carry 50 frames a second each), through ws's own API otherwise. Either way the same
// messages, in the same order, reach the same listener.
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { maskedTextFrame } from './client-frames.js';
import { readFramesDirectly, type MessageListener } from './frame-reader.js';
import { TextFrameBatch, wrappedBytes, type FrameWrap, type WrappedText } from './text-frames.js';

export type { MessageListener };

export interface DirectFrames {
  /** Frames are read off ws's socket and written to it by hand; false: ws reads and writes them. */
  readonly direct: boolean;
  /** The connection is OPEN: messages may be sent. */
  open(): boolean;
  /** Queues one text message (UTF-8) for flush(); ws sends it at once when not direct. */
  queue(text: string): void;
  /** Queues wrap.head + ascii + wrap.tail as one text message; `ascii` must be ASCII (base64). */
  queueWrapped(wrap: FrameWrap, ascii: string): void;
  /** Writes what was queued: one socket write. */
  flush(): void;
  /** Sends one text message now, after anything queued. */
  send(message: string | WrappedText): void;
  /** Bytes written that the socket has not handed to the kernel yet. */
  queuedBytes(): number;
}

export interface DirectFramesOptions {
  /** false: ws reads and writes everything (WS_DIRECT_FRAMES=false). */
  enabled: boolean;
}

/**
 * Delivers `ws`'s messages to `onMessage` (as ws's 'message' event, same arguments) and returns
 * the way to send on it. Call it once the connection is open, before any data arrives. Direct
 * only when enabled and the reader could attach (frame-reader.ts: no extension negotiated, so ws
 * writes synchronously and our writes stay in order with its own pings, pongs and close).
 */
export function attachDirectFrames(
  ws: WebSocket,
  onMessage: MessageListener,
  opts: DirectFramesOptions,
): DirectFrames {
  ws.on('message', onMessage);
  const read = opts.enabled ? readFramesDirectly(ws, onMessage) : undefined;
  if (!read) return new ThroughWs(ws);
  return read.isServer ? new ToClient(ws, read.socket) : new ToServer(ws, read.socket);
}

/** Bytes marked as text: ws writes one buffer for them, where a string costs a second and a writev. */
const AS_TEXT = { binary: false } as const;

abstract class Frames implements DirectFrames {
  abstract readonly direct: boolean;
  constructor(protected readonly ws: WebSocket) {}
  abstract queue(text: string): void;
  abstract queueWrapped(wrap: FrameWrap, ascii: string): void;
  abstract flush(): void;
  abstract queuedBytes(): number;

  open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(message: string | WrappedText): void {
    if (typeof message === 'string') this.queue(message);
    else this.queueWrapped(message.wrap, message.ascii);
    this.flush();
  }
}

class ThroughWs extends Frames {
  readonly direct = false;
  queue(text: string): void {
    this.ws.send(Buffer.from(text), AS_TEXT);
  }
  queueWrapped(wrap: FrameWrap, ascii: string): void {
    this.ws.send(wrappedBytes({ wrap, ascii }), AS_TEXT);
  }
  flush(): void {}
  queuedBytes(): number {
    return this.ws.bufferedAmount;
  }
}

/** A server's frames (to a client): unmasked, everything queued in one buffer. */
class ToClient extends Frames {
  readonly direct = true;
  private readonly batch = new TextFrameBatch();
  constructor(
    ws: WebSocket,
    private readonly socket: Duplex,
  ) {
    super(ws);
  }
  queue(text: string): void {
    this.batch.add(text);
  }
  queueWrapped(wrap: FrameWrap, ascii: string): void {
    this.batch.addWrapped(wrap, ascii);
  }
  flush(): void {
    this.batch.writeTo(this.socket);
  }
  queuedBytes(): number {
    // Without an extension ws queues nothing itself: what waits is in the socket.
    return this.socket.writableLength;
  }
}

/** A client's frames (to a server): each masked with a fresh key, the queued ones in one write. */
class ToServer extends Frames {
  readonly direct = true;
  private pending: Buffer[] = [];
  constructor(
    ws: WebSocket,
    private readonly socket: Duplex,
  ) {
    super(ws);
  }
  queue(text: string): void {
    this.pending.push(maskedTextFrame(Buffer.from(text)));
  }
  queueWrapped(wrap: FrameWrap, ascii: string): void {
    this.pending.push(maskedTextFrame({ wrap, ascii }));
  }
  flush(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    this.socket.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
  }
  override send(message: string | WrappedText): void {
    // One event, nothing queued (every Realtime send): straight out, no list.
    if (this.pending.length > 0) return super.send(message);
    this.socket.write(maskedTextFrame(typeof message === 'string' ? Buffer.from(message) : message));
  }
  queuedBytes(): number {
    return this.socket.writableLength;
  }
}
