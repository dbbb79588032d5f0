// CallRecorder: both legs of a call to a stereo μ-law WAV (left = caller, right = agent), streamed
// to disk so a long call costs no memory. Twilio's inbound frames are the clock: agent audio is
// written as it would be heard, one agent byte per caller byte, and a `clear` drops what is unheard.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { writeWav } from '../audio/wav.js';
import { MULAW_SILENCE } from '../audio/mulaw.js';

/** Disk writes are batched: one write per ~1 s of stereo audio instead of one per 20 ms frame. */
const FLUSH_BYTES = 16_000;
/** Caller frames are decoded here, not into a new buffer each (Twilio's are 160 bytes). */
const SCRATCH_BYTES = 640;
/** One caller + agent sample pair is one 16-bit store on little-endian machines (caller in the low byte). */
const LITTLE_ENDIAN = endianness() === 'LE';

export class CallRecorder {
  private readonly header = Buffer.from(
    writeWav({ encoding: 'mulaw', sampleRate: 8000, channels: 2, samples: new Uint8Array(0) }),
  );
  private out: WriteStream | undefined;
  private opened: Promise<void>;
  private readonly pending: Buffer;
  /** The same memory as pending, as sample pairs. */
  private readonly pairs: Uint16Array;
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private pendingLength = 0;
  /** Agent audio not heard yet: bytes, or base64 as it went to Twilio (decoded when it is reached). */
  private agentQueue: (Uint8Array | string)[] = [];
  /** The queue's head as bytes, once reached (its first agentHeadLength bytes count). */
  private agentHead: Uint8Array | undefined;
  private agentHeadLength = 0;
  private readonly agentScratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private agentOffset = 0;
  private dataBytes = 0;
  private failed: Error | undefined;

  constructor(readonly file: string) {
    // Its own (aligned) memory, so the 16-bit view below is valid.
    this.pending = Buffer.allocUnsafeSlow(FLUSH_BYTES);
    this.pairs = new Uint16Array(this.pending.buffer, this.pending.byteOffset, FLUSH_BYTES / 2);
    this.opened = mkdir(path.dirname(file), { recursive: true }).then(() => {
      this.out = createWriteStream(file);
      this.out.on('error', (err) => (this.failed = err));
      this.out.write(this.header);
    });
    this.opened.catch((err: unknown) => (this.failed = err as Error));
  }

  /** Agent audio sent to Twilio: heard from now on, after what is already queued. */
  agent(mulaw: Uint8Array): void {
    if (mulaw.length > 0) this.agentQueue.push(mulaw);
  }

  /** The same, as base64 (what the agent gave): decoded only when the caller's frames reach it. */
  agentBase64(payload: string): void {
    if (payload.length > 0) this.agentQueue.push(payload);
  }

  /** Barge-in: Twilio dropped everything not yet played. */
  clear(): void {
    this.agentQueue = [];
    this.agentHead = undefined;
    this.agentOffset = 0;
  }

  /** One inbound frame as Twilio sent it (base64), decoded without allocating. */
  callerBase64(payload: string): void {
    if (this.failed) return;
    if ((payload.length * 3) / 4 > SCRATCH_BYTES) return this.caller(Buffer.from(payload, 'base64'));
    // The scratch and a length, not a view of it: no typed array is created per frame.
    this.append(this.scratch, this.scratch.write(payload, 0, 'base64'));
  }

  /** One inbound frame: writes it beside the agent audio playing at the same moment. */
  caller(mulaw: Uint8Array): void {
    if (this.failed) return;
    this.append(mulaw, mulaw.length);
  }

  private append(mulaw: Uint8Array, length: number): void {
    let from = 0;
    while (from < length) {
      if (this.pendingLength + 2 > FLUSH_BYTES) this.flush();
      const take = Math.min((FLUSH_BYTES - this.pendingLength) >> 1, length - from);
      this.interleave(mulaw, from, take);
      this.pendingLength += take * 2;
      from += take;
    }
    this.dataBytes += length * 2;
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

  /**
   * Appends `count` caller bytes from `from`, each with the next agent byte (silence once none is
   * queued): left = caller, right = agent.
   */
  private interleave(caller: Uint8Array, from: number, count: number): void {
    let pair = this.pendingLength >> 1;
    let done = 0;
    while (done < count) {
      const head = this.headBytes();
      const n = head ? Math.min(this.agentHeadLength - this.agentOffset, count - done) : count - done;
      const c = from + done;
      if (LITTLE_ENDIAN) {
        const pairs = this.pairs;
        if (head) {
          const a = this.agentOffset;
          for (let i = 0; i < n; i++) pairs[pair + i] = caller[c + i]! | (head[a + i]! << 8);
        } else {
          for (let i = 0; i < n; i++) pairs[pair + i] = caller[c + i]! | (MULAW_SILENCE << 8);
        }
      } else {
        const out = this.pending;
        for (let i = 0; i < n; i++) {
          out[(pair + i) * 2] = caller[c + i]!;
          out[(pair + i) * 2 + 1] = head ? head[this.agentOffset + i]! : MULAW_SILENCE;
        }
      }
      pair += n;
      done += n;
      if (head) {
        this.agentOffset += n;
        if (this.agentOffset >= this.agentHeadLength) {
          this.agentQueue.shift();
          this.agentHead = undefined;
          this.agentOffset = 0;
        }
      }
    }
  }

  /** The head of the agent queue as bytes (a base64 head is decoded into the scratch once). */
  private headBytes(): Uint8Array | undefined {
    while (this.agentHead === undefined && this.agentQueue.length > 0) {
      const head = this.agentQueue[0]!;
      if (typeof head !== 'string') {
        this.agentHead = head;
        this.agentHeadLength = head.length;
      } else if ((head.length * 3) / 4 > SCRATCH_BYTES) {
        this.agentHead = Buffer.from(head, 'base64');
        this.agentHeadLength = this.agentHead.length;
      } else {
        this.agentHead = this.agentScratch;
        this.agentHeadLength = this.agentScratch.write(head, 0, 'base64');
      }
      // Base64 that decodes to nothing is dropped, not looped on.
      if (this.agentHeadLength === 0) {
        this.agentQueue.shift();
        this.agentHead = undefined;
      }
    }
    return this.agentHead;
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
