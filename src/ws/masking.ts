// RFC 6455 masking, natively through bufferutil (the module ws itself uses), so our hand-framed
// messages cost what ws's own would. Below ws's own thresholds a JS loop is cheaper than the call
// into native code. (ws's WS_NO_BUFFER_UTIL opt-out is ws's: config.ts alone reads the environment.)
import { createRequire } from 'node:module';

interface Masking {
  mask(source: Buffer, key: Buffer, output: Buffer, offset: number, length: number): void;
  unmask(buffer: Buffer, key: Buffer): void;
}

const js: Masking = {
  mask(source, key, output, offset, length) {
    for (let i = 0; i < length; i++) output[offset + i] = source[i]! ^ key[i & 3]!;
  },
  unmask(buffer, key) {
    for (let i = 0; i < buffer.length; i++) buffer[i] = buffer[i]! ^ key[i & 3]!;
  },
};

function load(): Masking {
  try {
    return createRequire(import.meta.url)('bufferutil') as Masking;
  } catch {
    return js;
  }
}

const native = load();

export function mask(source: Buffer, key: Buffer, output: Buffer, offset: number, length: number): void {
  if (length < 48) js.mask(source, key, output, offset, length);
  else native.mask(source, key, output, offset, length);
}

export function unmask(buffer: Buffer, key: Buffer): void {
  if (buffer.length < 32) js.unmask(buffer, key);
  else native.unmask(buffer, key);
}
