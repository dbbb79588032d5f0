// The AudioWorklet processor of the test call: hands the microphone's samples (the context's rate,
// mono) to the page in blocks of about 10 ms. Loaded by URL from the build (CSP script-src 'self').
export {};

// The AudioWorkletGlobalScope's names; TypeScript's DOM library does not declare them.
declare const sampleRate: number;
declare function registerProcessor(name: string, processor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

/** About 10 ms of samples per message. */
const BLOCK = Math.max(128, Math.round(sampleRate / 100));

class CaptureProcessor extends AudioWorkletProcessor {
  private block = new Float32Array(BLOCK);
  private filled = 0;

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (!channel) return true;
    let offset = 0;
    while (offset < channel.length) {
      const take = Math.min(channel.length - offset, this.block.length - this.filled);
      this.block.set(channel.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.block.length) {
        // Transferred, not copied: the page owns this block now (ours is detached, so a new one).
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(BLOCK);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('test-call-capture', CaptureProcessor);
