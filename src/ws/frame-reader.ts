// Reads the WebSocket frames of an open `ws` connection straight off its socket (RFC 6455 §5.2).
//
// Why: a voice call brings 50 small, whole, unfragmented text frames a second on each of its two
// sockets. ws reads each through its Receiver, a Writable stream (write, buffer list, state loop,
// a deferred write callback per chunk), which under load was a tenth of the server's CPU. Here
// the common frame — complete, final, data, uncompressed, within limits — is unmasked in place and
// emitted as ws's own 'message' event (same arguments), so listeners cannot tell the difference.
// A connection's one 'message' listener can also be called directly, without the emit (an
// EventEmitter dispatch and a megamorphic property load per message, prominent in profiles; side
// by side the saving was within the noise). And the socket's chunks can skip its Readable: push
// hands them straight to the reader while nothing is buffered or paused (a 'data' emit and a
// read-ahead tick per read; side by side, 5 % less CPU per caller frame: bench/README.md).
//
// Everything else stays ws's: a complete ping or pong is handed to ws's Receiver as it is (it
// answers pings and emits 'pong'); anything else — a close, a fragment, reserved bits, a wrong
// mask bit, invalid UTF-8, an oversized frame — hands the connection back to ws for good, from that
// frame on, so ws closes with the code it always would (1002, 1007, 1009) and logs nothing new.
import { isUtf8 } from 'node:buffer';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { unmask } from './masking.js';

/** The private parts of a ws 8 connection this relies on; checked before anything is changed. */
interface WsInternals {
  _socket?: Duplex;
  _receiver?: {
    _maxPayload?: unknown;
    _isServer?: unknown;
    _state?: unknown;
    _bufferedBytes?: unknown;
    _fragmented?: unknown;
    _allowSynchronousEvents?: unknown;
  };
  binaryType?: string;
}

const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export type MessageListener = (data: Buffer, isBinary: boolean) => void;

/**
 * Starts reading `ws`'s frames directly. Returns false (and changes nothing) when the connection
 * is not one this can read: not open, compressed, already mid-frame, deferring its events, or a ws
 * whose internals are not the ones expected. Call it right after the connection opens, before any
 * data arrives. Binary messages are emitted as Buffers: binaryType must stay 'nodebuffer'.
 *
 * `listener`, when it is ws's only 'message' listener, is called directly (with ws as `this`, as
 * an emit would) for as long as it stays the only one; adding or removing a 'message' listener
 * goes back to emitting. Frames ws reads itself (after a hand-back) are emitted as always.
 */
export function readFramesDirectly(ws: WebSocket, listener?: MessageListener): boolean {
  const internals = ws as unknown as WsInternals;
  const socket = internals._socket;
  const receiver = internals._receiver;
  if (!socket || !receiver || ws.readyState !== ws.OPEN || ws.extensions !== '') return false;
  if (internals.binaryType !== 'nodebuffer') return false;
  const { _maxPayload: maxPayload, _isServer: isServer } = receiver;
  if (typeof maxPayload !== 'number' || typeof isServer !== 'boolean') return false;
  if (receiver._state !== 0 || receiver._bufferedBytes !== 0 || receiver._fragmented !== 0) return false;
  // Messages are emitted as they are read, as ws does by default; a ws told to defer keeps reading.
  if (receiver._allowSynchronousEvents !== true) return false;
  const listeners = socket.listeners('data');
  const wsOnData = listeners[0];
  if (listeners.length !== 1 || wsOnData?.name !== 'socketOnData') return false;
  const reader = new FrameReader(ws, socket, wsOnData as (chunk: Buffer) => void, maxPayload, isServer);
  const messageListeners = ws.listeners('message');
  if (listener && messageListeners.length === 1 && messageListeners[0] === listener) {
    reader.direct = listener;
    const emitFromNowOn = (event: string | symbol): void => {
      if (event !== 'message') return;
      reader.direct = undefined;
      ws.off('newListener', emitFromNowOn).off('removeListener', emitFromNowOn);
    };
    ws.on('newListener', emitFromNowOn).on('removeListener', emitFromNowOn);
  }
  socket.removeListener('data', wsOnData as (chunk: Buffer) => void);
  socket.on('data', reader.onData);
  reader.bypassReadable();
  // Before ws's own close handler, which feeds its Receiver what a paused socket still holds.
  socket.prependListener('close', reader.onClose);
  return true;
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
  /** ws's only 'message' listener, called without an emit; undefined: emit. */
  direct: MessageListener | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    private readonly wsOnData: (chunk: Buffer) => void,
    /** ws's limit for one message (0: none); above it ws closes with 1009. */
    private readonly maxPayload: number,
    /** Frames from a client must be masked, frames from a server must not (RFC 6455 §5.1). */
    private readonly isServer: boolean,
  ) {}

  readonly onData = (chunk: Buffer): void => {
    let buf = chunk;
    if (this.partsBytes > 0) {
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
    this.handedBack = true;
    this.restoreReadable?.();
    this.socket.removeListener('data', this.onData);
    this.socket.on('data', this.wsOnData);
    this.parts = [];
    this.partsBytes = 0;
    this.wsOnData.call(this.socket, buf.subarray(at));
    return HANDED_BACK;
  }
}

const INCOMPLETE = -1;
const HANDED_BACK = -2;
const EMPTY = Buffer.alloc(0);
/** bypassReadable's own reason to restore the Readable (not an event name anyone emits). */
const BACK = Symbol('hand-back');
