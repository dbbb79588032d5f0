// Reads the WebSocket frames of an open `ws` connection straight off its socket (RFC 6455 §5.2).
//
// Why: a voice call brings 50 small, whole, unfragmented text frames a second on each of its two
// sockets, and ws reads each through its Receiver, a Writable stream (write, buffer list, state
// loop, a deferred write callback per chunk). Here the common frame — complete, final, data,
// uncompressed, within limits — is unmasked in place and emitted as ws's own 'message' event (same
// arguments), so listeners cannot tell the difference; a connection's one 'message' listener is
// called without the emit (see readFramesDirectly). The socket's chunks also skip its Readable
// while nothing needs it (bypassReadable). What each saved: bench/README.md.
//
// Everything else stays ws's: a complete ping or pong is handed to ws's Receiver as it is (it
// answers pings and emits 'pong'); anything else — a close, a fragment, reserved bits, a wrong
// mask bit, invalid UTF-8, an oversized frame, a frame in more chunks than ws would hold — hands
// the connection back to ws for good, from that frame on, so ws closes with the code it always
// would (1002, 1007, 1008, 1009) and logs nothing new. ws's private parts: ws-internals.ts.
import { isUtf8 } from 'node:buffer';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { unmask } from './masking.js';
import { wsPrivateParts, type WsPrivateParts } from './ws-internals.js';

const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export type MessageListener = (data: Buffer, isBinary: boolean) => void;

/** A connection now read directly: its socket (hand-built frames may be written to it) and side. */
export interface DirectRead {
  socket: Duplex;
  /** Frames written to this socket go to a client: unmasked (RFC 6455 §5.1). */
  isServer: boolean;
}

/**
 * Starts reading `ws`'s frames directly. Returns undefined, changing nothing, when the connection
 * is not one this can read: not open, compressed, already mid-frame, deferring its events, or a ws
 * whose internals are not the ones expected. Call it right after the connection opens, before any
 * data arrives. Binary messages are emitted as Buffers: binaryType must stay 'nodebuffer'.
 *
 * `listener`, while it is ws's only 'message' listener, is called directly (with ws as `this`, as
 * an emit would): EventEmitter.emit's listener lookup is a megamorphic load per message, ~2 % of
 * the server's CPU in a perf profile under load (bench/README.md). Adding or removing a 'message'
 * listener goes back to emitting for good; frames ws reads itself (after a hand-back) are emitted.
 */
export function readFramesDirectly(ws: WebSocket, listener?: MessageListener): DirectRead | undefined {
  if (ws.readyState !== ws.OPEN || ws.extensions !== '' || ws.binaryType !== 'nodebuffer') return undefined;
  const parts = wsPrivateParts(ws);
  // Messages are emitted as they are read, as ws does by default; a ws told to defer keeps reading.
  if (!parts?.idle || !parts.synchronousEvents) return undefined;
  const { socket, feedReceiver } = parts;
  const reader = new FrameReader(ws, parts);
  if (listener) callDirectly(ws, reader, listener);
  socket.removeListener('data', feedReceiver);
  socket.on('data', reader.onData);
  reader.bypassReadable();
  // Before ws's own close handler, which feeds its Receiver what a paused socket still holds.
  socket.prependListener('close', reader.onClose);
  return { socket, isServer: parts.isServer };
}

/** Hands `listener` to the reader while it is ws's one 'message' listener. */
function callDirectly(ws: WebSocket, reader: FrameReader, listener: MessageListener): void {
  const listeners = ws.listeners('message');
  if (listeners.length !== 1 || listeners[0] !== listener) return;
  reader.direct = listener;
  const emitFromNowOn = (event: string | symbol): void => {
    if (event !== 'message') return;
    reader.direct = undefined;
    ws.off('newListener', emitFromNowOn).off('removeListener', emitFromNowOn);
  };
  ws.on('newListener', emitFromNowOn).on('removeListener', emitFromNowOn);
}

class FrameReader {
  /** The start of a frame not yet complete, and how many bytes are needed to read further. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private need = 0;
  /** Where the frame being handled ends (set before any listener runs). */
  private next = 0;
  private handedBack = false;
  private readonly key = Buffer.alloc(4);
  /** Puts the socket's own Readable back between it and onData (see bypassReadable). */
  private restoreReadable: (() => void) | undefined;
  private readonly socket: Duplex;
  private readonly wsOnData: (chunk: Buffer) => void;
  private readonly maxPayload: number;
  private readonly maxBufferedChunks: number;
  private readonly isServer: boolean;
  /** ws's only 'message' listener, called without an emit; undefined: emit. */
  direct: MessageListener | undefined;

  constructor(
    private readonly ws: WebSocket,
    parts: WsPrivateParts,
  ) {
    this.socket = parts.socket;
    this.wsOnData = parts.feedReceiver;
    this.maxPayload = parts.maxPayload;
    this.maxBufferedChunks = parts.maxBufferedChunks;
    this.isServer = parts.isServer;
  }

  readonly onData = (chunk: Buffer): void => {
    let buf = chunk;
    if (this.partsBytes > 0) {
      if (this.maxBufferedChunks > 0 && this.parts.length >= this.maxBufferedChunks) {
        return this.handBackChunks(chunk);
      }
      this.parts.push(chunk);
      this.partsBytes += chunk.length;
      if (this.partsBytes < this.need) return;
      buf = Buffer.concat(this.parts, this.partsBytes);
      this.parts = [];
      this.partsBytes = 0;
    }
    let at = 0;
    try {
      while (at < buf.length) {
        const next = this.frame(buf, at);
        if (next === HANDED_BACK || this.socket.destroyed) return;
        if (next === INCOMPLETE) return this.keep(buf.subarray(at), this.need);
        at = next;
      }
    } catch (err) {
      // A listener threw. The framing is kept: the rest of this chunk is read on the next tick
      // (not dropped, not misread as the start of a frame), and the error goes on its way.
      if (!this.handedBack) {
        this.keep(buf.subarray(this.next), 0);
        process.nextTick(this.onData, EMPTY);
      }
      throw err;
    }
  };

  /**
   * Node hands each chunk a TCP or TLS socket reads to `socket.push` (its `onStreamRead`), and the
   * Readable around the socket then emits it as 'data' and schedules a read-ahead on the next
   * tick (a `process.nextTick` per read, and the tick queue run after it). A socket that is
   * flowing, holds nothing and has only our 'data' listener gets the chunk straight from push:
   * the same chunk in the same order. The socket reads on its own (its handle keeps reading until
   * a push says stop), so the read-ahead is not needed; a pause, the end and errors still go
   * through the Readable. Another 'data' listener, or the hand-back to ws, puts the Readable back
   * in the path for good. Other streams (read only when asked, through `_read`) keep it.
   */
  bypassReadable(): void {
    if (!(this.socket instanceof Socket)) return;
    const socket = this.socket as Socket & { push: Socket['push'] };
    const readablePush = socket.push;
    const ownPush = Object.hasOwn(socket, 'push');
    const direct = (chunk: unknown, encoding?: BufferEncoding): boolean => {
      if (Buffer.isBuffer(chunk) && socket.readableFlowing === true && socket.readableLength === 0) {
        this.onData(chunk);
        return true;
      }
      return readablePush.call(socket, chunk, encoding);
    };
    const restore = (event: string | symbol): void => {
      if (event !== 'data' && event !== BACK) return;
      if (socket.push === direct) {
        if (ownPush) socket.push = readablePush;
        else delete (socket as { push?: unknown }).push;
      }
      socket.off('newListener', restore);
      this.restoreReadable = undefined;
    };
    socket.push = direct;
    socket.on('newListener', restore);
    this.restoreReadable = () => restore(BACK);
  }

  /** The socket closed: ws's Receiver gets the start of a frame we held, then what ws reads after. */
  readonly onClose = (): void => {
    if (this.handedBack || this.partsBytes === 0) return;
    const held = Buffer.concat(this.parts, this.partsBytes);
    this.handBack(held, 0);
  };

  private keep(rest: Buffer, need: number): void {
    if (rest.length === 0) return;
    this.parts.push(rest);
    this.partsBytes += rest.length;
    this.need = need;
  }

  /** Handles the frame at `at`: returns where the next one starts, INCOMPLETE or HANDED_BACK. */
  private frame(buf: Buffer, at: number): number {
    const available = buf.length - at;
    if (available < 2) return this.wait(2);
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    if ((b0 & 0x70) !== 0 || masked !== this.isServer) return this.handBack(buf, at);
    let length = b1 & 0x7f;
    let header = 2;
    if (length === 126) {
      if (available < 4) return this.wait(4);
      length = buf.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (available < 10) return this.wait(10);
      if (buf.readUInt32BE(at + 2) !== 0) return this.handBack(buf, at);
      length = buf.readUInt32BE(at + 6);
      header = 10;
    }
    const maskAt = at + header;
    if (masked) header += 4;
    const end = at + header + length;
    const fin = (b0 & 0x80) !== 0;
    if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (!fin || (this.maxPayload > 0 && length > this.maxPayload)) return this.handBack(buf, at);
      if (end > buf.length) return this.wait(header + length);
      const payload = buf.subarray(at + header, end);
      if (masked) unmask(payload, this.keyAt(buf, maskAt));
      if (opcode === OP_TEXT && !isUtf8(payload)) {
        if (masked) unmask(payload, this.key); // as it came, for ws
        return this.handBack(buf, at);
      }
      this.next = end;
      const direct = this.direct;
      if (direct) direct.call(this.ws, payload, opcode === OP_BINARY);
      else this.ws.emit('message', payload, opcode === OP_BINARY);
      return end;
    }
    if ((opcode === OP_PING || opcode === OP_PONG) && fin && length <= 125) {
      if (end > buf.length) return this.wait(header + length);
      // A whole control frame: ws's Receiver reads it at once and is back between frames after.
      this.next = end;
      this.wsOnData.call(this.socket, buf.subarray(at, end));
      return end;
    }
    return this.handBack(buf, at); // close, fragments, unknown opcodes: ws's business
  }

  /** The frame's masking key, in a buffer reused from frame to frame. */
  private keyAt(buf: Buffer, at: number): Buffer {
    const key = this.key;
    key[0] = buf[at]!;
    key[1] = buf[at + 1]!;
    key[2] = buf[at + 2]!;
    key[3] = buf[at + 3]!;
    return key;
  }

  private wait(bytes: number): number {
    this.need = bytes;
    return INCOMPLETE;
  }

  /** ws reads this connection from `at` on, exactly as if it had read it all along. */
  private handBack(buf: Buffer, at: number): number {
    this.detach();
    this.wsOnData.call(this.socket, buf.subarray(at));
    return HANDED_BACK;
  }

  /**
   * A frame in more chunks than ws holds for one: ws gets them one by one, as it would have, and
   * applies its own limit (it closes with 1008).
   */
  private handBackChunks(chunk: Buffer): void {
    const held = this.parts;
    this.detach();
    for (const part of held) this.wsOnData.call(this.socket, part);
    this.wsOnData.call(this.socket, chunk);
  }

  private detach(): void {
    this.handedBack = true;
    this.restoreReadable?.();
    this.socket.removeListener('data', this.onData);
    this.socket.on('data', this.wsOnData);
    this.parts = [];
    this.partsBytes = 0;
  }
}

const INCOMPLETE = -1;
const HANDED_BACK = -2;
const EMPTY = Buffer.alloc(0);
/** bypassReadable's own reason to restore the Readable (not an event name anyone emits). */
const BACK = Symbol('hand-back');
