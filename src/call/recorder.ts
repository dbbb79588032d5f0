// CallRecorder: both legs of a call to a stereo μ-law WAV (left = caller, right = agent), streamed
// to disk so a long call costs no memory. Twilio's inbound frames are the clock: agent audio is
// written as it would be heard, one agent byte per caller byte, and a `clear` drops what is unheard.
import { endianness } from 'node:os';
import { writeWav } from '../audio/wav.js';
import { MULAW_SILENCE } from '../audio/mulaw.js';
import { RecordingFile } from './recording-file.js';

/**
 * Each leg is gathered on its own (base64 decoded and agent audio copied in place, by native code)
 * and interleaved every 2 s, in one long loop rather than one short loop per 20 ms frame, into a
 * stereo buffer shared by every recorder and written at once (one 32 KB write per call per 2 s):
 * much of a write's cost is fixed per write, not per byte. 2 s bounds what a crash can lose and
 * each call's memory (two legs and a scratch, 32.6 KB). Sharing the stereo buffer keeps it out of
 * every call's memory. The measurements behind each choice: bench/README.md.
 */
const LEG_BYTES = 16_000;
/** Agent audio given as base64 is decoded here when the caller's frames reach it. */
const SCRATCH_BYTES = 640;
/** One caller + agent sample pair is one 16-bit store on little-endian machines (caller in the low byte). */
const LITTLE_ENDIAN = endianness() === 'LE';
/** Written synchronously right after it is filled (RecordingFile copies it when it cannot), so one serves all. */
const STEREO = Buffer.allocUnsafeSlow(2 * LEG_BYTES);
const STEREO_PAIRS = new Uint16Array(STEREO.buffer, STEREO.byteOffset, LEG_BYTES);

export class CallRecorder {
  private readonly header = Buffer.from(
    writeWav({ encoding: 'mulaw', sampleRate: 8000, channels: 2, samples: new Uint8Array(0) }),
  );
  private readonly out: RecordingFile;
  /** The two legs of the last ≤ 2 s, sample for sample (legLength bytes each). */
  private readonly callerLeg = Buffer.allocUnsafe(LEG_BYTES);
  private readonly agentLeg = Buffer.allocUnsafe(LEG_BYTES);
  private legLength = 0;
  /** Agent audio not heard yet: bytes, or base64 as it went to Twilio (decoded when it is reached). */
  private agentQueue: (Uint8Array | string)[] = [];
  /** The queue's head as bytes, once reached (its first agentHeadLength bytes count). */
  private agentHead: Uint8Array | undefined;
  private agentHeadLength = 0;
  private readonly agentScratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private agentOffset = 0;
  private dataBytes = 0;

  constructor(
    readonly file: string,
    /** Called once if a write shows the disk is slow (recordings then go asynchronous). */
    onSlowDisk?: (ms: number) => void,
  ) {
    this.out = new RecordingFile(file, this.header, onSlowDisk);
  }

  private get failed(): Error | undefined {
    return this.out.failed;
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

  /** One inbound frame as Twilio sent it (base64), decoded straight into the caller leg. */
  callerBase64(payload: string): void {
    if (this.failed) return;
    const bytes = (payload.length * 3) / 4;
    if (bytes > LEG_BYTES) return this.caller(Buffer.from(payload, 'base64'));
    if (this.legLength + bytes > LEG_BYTES) this.interleaveLegs();
    const at = this.legLength;
    const n = this.callerLeg.write(payload, at, 'base64');
    this.heard(at, n);
  }

  /** One inbound frame: recorded beside the agent audio playing at the same moment. */
  caller(mulaw: Uint8Array): void {
    if (this.failed) return;
    for (let from = 0; from < mulaw.length;) {
      if (this.legLength === LEG_BYTES) this.interleaveLegs();
      const n = Math.min(LEG_BYTES - this.legLength, mulaw.length - from);
      const at = this.legLength;
      this.callerLeg.set(mulaw.subarray(from, from + n), at);
      this.heard(at, n);
      from += n;
    }
  }

  /** The caller leg grew by n bytes at `at`: the agent leg gets what played meanwhile, or silence. */
  private heard(at: number, n: number): void {
    let done = 0;
    while (done < n) {
      const head = this.headBytes();
      if (!head) {
        this.agentLeg.fill(MULAW_SILENCE, at + done, at + n);
        break;
      }
      const take = Math.min(this.agentHeadLength - this.agentOffset, n - done);
      this.agentLeg.set(head.subarray(this.agentOffset, this.agentOffset + take), at + done);
      done += take;
      this.agentOffset += take;
      if (this.agentOffset >= this.agentHeadLength) {
        this.agentQueue.shift();
        this.agentHead = undefined;
        this.agentOffset = 0;
      }
    }
    this.legLength = at + n;
    this.dataBytes += n * 2;
  }

  /** Seconds of call audio recorded so far. */
  get seconds(): number {
    return this.dataBytes / 2 / 8000;
  }

  /** Writes the rest and fixes the WAV sizes; resolves with the seconds recorded. */
  async finish(): Promise<number> {
    this.interleaveLegs();
    // The header was written for empty data: the RIFF, fact and data sizes are known now.
    const h = this.header;
    const factAt = h.indexOf('fact');
    const dataAt = h.indexOf('data');
    await this.out.finish([
      { at: 4, value: h.length - 8 + this.dataBytes },
      ...(factAt >= 0 ? [{ at: factAt + 8, value: this.dataBytes / 2 }] : []),
      { at: dataAt + 4, value: this.dataBytes },
    ]);
    return this.seconds;
  }

  /** Writes the gathered legs as stereo (left = caller, right = agent). */
  private interleaveLegs(): void {
    const n = this.legLength;
    this.legLength = 0;
    if (n === 0) return;
    const caller = this.callerLeg;
    const agent = this.agentLeg;
    if (LITTLE_ENDIAN) {
      const pairs = STEREO_PAIRS;
      for (let i = 0; i < n; i++) pairs[i] = caller[i]! | (agent[i]! << 8);
    } else {
      const out = STEREO;
      for (let i = 0; i < n; i++) {
        out[i * 2] = caller[i]!;
        out[i * 2 + 1] = agent[i]!;
      }
    }
    this.out.append(STEREO, n * 2);
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
}
