// Server → Twilio WebSocket text frames built by hand (RFC 6455 §5.2: FIN, opcode 1, unmasked),
// so everything one play() sends leaves as one buffer in one socket write. ws's sender writes each
// message as header + payload, two buffers behind cork/uncork: a writev and its bookkeeping per
// message (its cost under load: bench/README.md).
import type { Duplex } from 'node:stream';

/** The constant start and end of one kind of message (a stream's media frames), encoded once. */
export interface FrameWrap {
  head: Buffer;
  tail: Buffer;
}

export function frameWrap(head: string, tail: string): FrameWrap {
  return { head: Buffer.from(head), tail: Buffer.from(tail) };
}

/** One message as wrap.head + ascii + wrap.tail, not yet copied anywhere. */
export interface WrappedText {
  wrap: FrameWrap;
  /** ASCII only (a base64 payload): copied byte for byte, no UTF-8 scan or encoding. */
  ascii: string;
}

/** The message's bytes. */
export function wrappedBytes({ wrap, ascii }: WrappedText): Buffer {
  const out = Buffer.allocUnsafe(wrap.head.length + ascii.length + wrap.tail.length);
  copyWrapped(out, 0, wrap, ascii);
  return out;
}

/** Copies head, ascii and tail into `out` at `at`; returns where they end. */
export function copyWrapped(out: Buffer, at: number, wrap: FrameWrap, ascii: string): number {
  at += wrap.head.copy(out, at);
  at += out.write(ascii, at, 'latin1');
  return at + wrap.tail.copy(out, at);
}

/** Collects text messages, then writes them as consecutive frames in one buffer. */
export class TextFrameBatch {
  // Parallel arrays reused from batch to batch (truncating them would free their storage).
  private readonly texts: string[] = [];
  private readonly wraps: (FrameWrap | undefined)[] = [];
  private readonly lengths: number[] = [];
  private count = 0;
  private bytes = 0;

  get size(): number {
    return this.count;
  }

  add(text: string): void {
    this.push(text, undefined, Buffer.byteLength(text));
  }

  /**
   * wrap.head + ascii + wrap.tail as one message. `ascii` must be ASCII (a base64 payload): it is
   * copied byte for byte, with no UTF-8 length scan or encoding (a media frame is mostly payload).
   */
  addWrapped(wrap: FrameWrap, ascii: string): void {
    this.push(ascii, wrap, wrap.head.length + ascii.length + wrap.tail.length);
  }

  /** Writes the batch (if any) to the socket in one write and empties it. */
  writeTo(socket: Duplex): void {
    const n = this.count;
    if (n === 0) return;
    const out = Buffer.allocUnsafe(this.bytes);
    let at = 0;
    for (let i = 0; i < n; i++) {
      at = writeHeader(out, at, this.lengths[i]!);
      const text = this.texts[i]!;
      const wrap = this.wraps[i];
      if (wrap) {
        at = copyWrapped(out, at, wrap, text);
        this.wraps[i] = undefined;
      } else {
        at += out.write(text, at);
      }
      // Dropped now: a batch must not keep the last call's audio alive.
      this.texts[i] = '';
    }
    this.count = 0;
    this.bytes = 0;
    socket.write(out);
  }

  private push(text: string, wrap: FrameWrap | undefined, length: number): void {
    const i = this.count++;
    this.texts[i] = text;
    this.wraps[i] = wrap;
    this.lengths[i] = length;
    this.bytes += headerLength(length) + length;
  }
}

function headerLength(payload: number): number {
  return payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
}

/** A final, unmasked text frame header for `payload` bytes at `at`; returns where the payload goes. */
export function writeHeader(out: Buffer, at: number, payload: number): number {
  out[at] = 0x81;
  if (payload < 126) {
    out[at + 1] = payload;
    return at + 2;
  }
  if (payload < 65_536) {
    out[at + 1] = 126;
    out.writeUInt16BE(payload, at + 2);
    return at + 4;
  }
  out[at + 1] = 127;
  out.writeBigUInt64BE(BigInt(payload), at + 2);
  return at + 10;
}
