// RFC 6455 masking, natively when bufferutil is there (the same module, and the same opt-out
// variable, ws itself uses), so our hand-framed messages cost what ws's own would.
import { createRequire } from 'node:module';

interface Masking {
  mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void;
  unmask(buffer: Buffer, mask: Buffer): void;
}

function load(): Masking {
  const js: Masking = {
    mask(source, mask, output, offset, length) {
      for (let i = 0; i < length; i++) output[offset + i] = source[i]! ^ mask[i & 3]!;
    },
    unmask(buffer, mask) {
      for (let i = 0; i < buffer.length; i++) buffer[i] = buffer[i]! ^ mask[i & 3]!;
    },
  };
  if (process.env.WS_NO_BUFFER_UTIL) return js;
  try {
    return createRequire(import.meta.url)('bufferutil') as Masking;
  } catch {
    return js;
  }
}

export const { mask, unmask } = load();
