// CallRecorder: both legs of a call to a stereo μ-law WAV (left = caller, right = agent), streamed
// to disk so a long call costs no memory. Twilio's inbound frames are the clock: agent audio is
// written as it would be heard, one agent byte per caller byte, and a `clear` drops what is unheard.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { writeWav } from '../audio/wav.js';
import { MULAW_SILENCE } from '../audio/mulaw.js';

/** Disk writes are batched: one write per ~1 s of stereo audio instead of one per 20 ms frame. */
const FLUSH_BYTES = 16_000;

export class CallRecorder {
  private readonly header = Buffer.from(
    writeWav({ encoding: 'mulaw', sampleRate: 8000, channels: 2, samples: new Uint8Array(0) }),
  );
  private out: WriteStream | undefined;
  private opened: Promise<void>;
  private pending: Buffer;
  private pendingLength = 0;
  private agentQueue: Buffer[] = [];
  private agentOffset = 0;
  private dataBytes = 0;
  private failed: Error | undefined;

  constructor(readonly file: string) {
    this.pending = Buffer.allocUnsafe(FLUSH_BYTES);
    this.opened = mkdir(path.dirname(file), { recursive: true }).then(() => {
      this.out = createWriteStream(file);
      this.out.on('error', (err) => (this.failed = err));
      this.out.write(this.header);
    });
    this.opened.catch((err: unknown) => (this.failed = err as Error));
  }

  /** Agent audio sent to Twilio: heard from now on, after what is already queued. */
  agent(mulaw: Buffer): void {
    if (mulaw.length > 0) this.agentQueue.push(mulaw);
  }

  /** Barge-in: Twilio dropped everything not yet played. */
  clear(): void {
    this.agentQueue = [];
    this.agentOffset = 0;
  }

  /** One inbound frame: writes it beside the agent audio playing at the same moment. */
  caller(mulaw: Buffer): void {
    if (this.failed) return;
    for (let i = 0; i < mulaw.length; i++) {
      if (this.pendingLength + 2 > this.pending.length) this.flush();
      this.pending[this.pendingLength++] = mulaw[i]!;
      this.pending[this.pendingLength++] = this.nextAgentByte();
    }
    this.dataBytes += mulaw.length * 2;
  }

  /** Seconds of call audio recorded so far. */
  get seconds(): number {
    return this.dataBytes / 2 / 8000;
  }

  /** Writes the rest and fixes the WAV sizes; resolves with the seconds recorded. */
  async finish(): Promise<number> {
    await this.opened;
    this.flush();
    const out = this.out;
    if (!out) throw this.failed ?? new Error('recording file was not opened');
    await new Promise<void>((resolve, reject) => {
      out.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    if (this.failed) throw this.failed;
    await this.patchSizes();
    return this.seconds;
  }

  private nextAgentByte(): number {
    const head = this.agentQueue[0];
    if (!head) return MULAW_SILENCE;
    const byte = head[this.agentOffset++]!;
    if (this.agentOffset >= head.length) {
      this.agentQueue.shift();
      this.agentOffset = 0;
    }
    return byte;
  }

  private flush(): void {
    if (this.pendingLength === 0) return;
    const chunk = Buffer.from(this.pending.subarray(0, this.pendingLength));
    this.pendingLength = 0;
    if (this.out) this.out.write(chunk);
    else void this.opened.then(() => this.out?.write(chunk));
  }

  /** The header was written for empty data: set the RIFF, fact and data sizes now that they are known. */
  private async patchSizes(): Promise<void> {
    const h = this.header;
    const factAt = h.indexOf('fact');
    const dataAt = h.indexOf('data');
    const handle = await open(this.file, 'r+');
    try {
      const u32 = (value: number) => {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(value);
        return b;
      };
      await handle.write(u32(h.length - 8 + this.dataBytes), 0, 4, 4);
      if (factAt >= 0) await handle.write(u32(this.dataBytes / 2), 0, 4, factAt + 8);
      await handle.write(u32(this.dataBytes), 0, 4, dataAt + 4);
    } finally {
      await handle.close();
    }
  }
}
