// Server → Twilio WebSocket text frames built by hand (RFC 6455 §5.2: FIN, opcode 1, unmasked),
// so everything one play() sends leaves as one buffer in one socket write. ws's sender writes each
// message as header + payload, two buffers behind cork/uncork: a writev and its bookkeeping per
// message, which was a tenth of the server's CPU per caller frame under load.
import type { Duplex } from 'node:stream';

/**
 * Collects text messages, then writes them as consecutive frames in one buffer. A message may be
 * given in up to three parts (a media frame's head, payload and tail), written back to back, so no
 * concatenated string is built and flattened for it.
 */
export class TextFrameBatch {
  // Parallel arrays reused from batch to batch (truncating them would free their storage).
  private readonly heads: string[] = [];
  private readonly middles: string[] = [];
  private readonly tails: string[] = [];
  private readonly lengths: number[] = [];
  private count = 0;
  private bytes = 0;

  get size(): number {
    return this.count;
  }

  add(head: string, middle = '', tail = ''): void {
    const length = Buffer.byteLength(head) + Buffer.byteLength(middle) + Buffer.byteLength(tail);
    const i = this.count++;
    this.heads[i] = head;
    this.middles[i] = middle;
    this.tails[i] = tail;
    this.lengths[i] = length;
    this.bytes += headerLength(length) + length;
  }

  /** Writes the batch (if any) to the socket in one write and empties it. */
  writeTo(socket: Duplex): void {
    const n = this.count;
    if (n === 0) return;
    const out = Buffer.allocUnsafe(this.bytes);
    let at = 0;
    for (let i = 0; i < n; i++) {
      at = writeHeader(out, at, this.lengths[i]!);
      at += out.write(this.heads[i]!, at);
      const middle = this.middles[i]!;
      if (middle !== '') at += out.write(middle, at);
      const tail = this.tails[i]!;
      if (tail !== '') at += out.write(tail, at);
      // Dropped now: a batch must not keep the last call's audio alive.
      this.middles[i] = '';
    }
    this.count = 0;
    this.bytes = 0;
    socket.write(out);
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
