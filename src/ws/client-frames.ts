// Client → server WebSocket text frames built by hand (RFC 6455 §5.2/§5.3: FIN, opcode 1, masked
// with a fresh key), header and masked payload in one buffer and one socket write. A Realtime
// upstream gets 50 of these a second per call; ws's Sender adds a Writable write and its
// bookkeeping to each, which is what this leaves out.
import { randomFillSync } from 'node:crypto';
import { mask } from './masking.js';
import { copyWrapped, type WrappedText } from './text-frames.js';

// Masking keys come from the CSPRNG, a pool at a time (as ws does): unpredictable per frame,
// without a system call per frame.
const POOL_BYTES = 8192;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;
const key = Buffer.alloc(4);

function nextKey(): Buffer {
  if (poolAt === POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(key, 0, poolAt, poolAt + 4);
  poolAt += 4;
  return key;
}

/**
 * One masked final text frame of `payload`: UTF-8 bytes, or a wrapped ASCII message, which is
 * copied once, straight into the frame, and masked there.
 */
export function maskedTextFrame(payload: Buffer | WrappedText): Buffer {
  const bytes = Buffer.isBuffer(payload);
  const length = bytes
    ? payload.length
    : payload.wrap.head.length + payload.ascii.length + payload.wrap.tail.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const body = header + 4;
  const out = Buffer.allocUnsafe(body + length);
  out[0] = 0x81;
  if (length < 126) out[1] = 0x80 | length;
  else if (length < 65_536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(0, 2);
    out.writeUInt32BE(length, 6);
  }
  const k = nextKey();
  k.copy(out, header);
  if (bytes) {
    mask(payload, k, out, body, length);
  } else {
    copyWrapped(out, body, payload.wrap, payload.ascii);
    mask(out.subarray(body), k, out, body, length); // in place: each byte is read, then written
  }
  return out;
}
