// The file behind a CallRecorder: a WAV header, then chunks appended at known offsets, then the
// header's sizes patched at the end. Chunks are written synchronously while the disk keeps up: one
// page-cache write per call per 2 s, where an asynchronous write (a copy, a threadpool
// hand-off, a completion) cost ~2.5 µs per caller frame under load (npm run bench). A write that
// takes longer than SLOW_WRITE_MS turns every recording in the process asynchronous for the rest
// of its life (a slow disk must not stall the other calls' audio; one stall is enough to say so).
import { mkdir, open as openFile } from 'node:fs';
import { close, write, writeSync } from 'node:fs';
import path from 'node:path';

export const SLOW_WRITE_MS = 20;

/**
 * The disk recordings go to, shared by every call: one slow write says it for all of them. The
 * process has one (the default); a test gives each file set its own so tests stay independent.
 */
export class RecordingDisk {
  /** Set by the first synchronous write slower than slowWriteMs; never unset. */
  writeAsync = false;
  constructor(readonly slowWriteMs = SLOW_WRITE_MS) {}
}

const processDisk = new RecordingDisk();

export class RecordingFile {
  private fd: number | undefined;
  /** Resolves once the file is open and the header written, or opening failed. */
  readonly opened: Promise<void>;
  /** Next write position; chunks written before the file opened wait in `early`. */
  private offset: number;
  private early: Buffer[] = [];
  private inFlight = 0;
  private drained: (() => void) | undefined;
  failed: Error | undefined;

  constructor(
    readonly file: string,
    private readonly header: Buffer,
    /** Called once, with the duration of the write that turned recordings asynchronous. */
    private readonly onSlowDisk?: (ms: number) => void,
    private readonly disk = processDisk,
  ) {
    this.offset = header.length;
    this.opened = new Promise<void>((resolve) => {
      // A call's audio is personal data: the file is 0600, the directories made for it 0700. A
      // path fs refuses outright (a NUL byte) fails this recording, never the caller's session.
      const guarded = (fn: () => void) => {
        try {
          fn();
        } catch (err) {
          resolve(this.fail(err as Error));
        }
      };
      guarded(() =>
        mkdir(path.dirname(file), { recursive: true, mode: 0o700 }, (mkdirErr) => {
          if (mkdirErr) return resolve(this.fail(mkdirErr));
          guarded(() =>
            openFile(file, 'w', 0o600, (err, fd) => {
              if (err) return resolve(this.fail(err));
              this.fd = fd;
              this.writeAt(header, header.length, 0, true);
              for (const chunk of this.early.splice(0)) this.writeAt(chunk, chunk.length, -1, true);
              resolve();
            }),
          );
        }),
      );
    });
  }

  /** Appends `length` bytes of `chunk`; the caller may reuse `chunk` as soon as this returns. */
  append(chunk: Buffer, length: number): void {
    if (this.failed || length === 0) return;
    if (this.fd === undefined) {
      this.early.push(Buffer.from(chunk.subarray(0, length)));
      return;
    }
    this.writeAt(chunk, length, -1, false);
  }

  /** Waits for every write, sets the RIFF size and the WAV fields at the given header offsets. */
  async finish(sizes: { at: number; value: number }[]): Promise<void> {
    await this.opened;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) throw this.failed ?? new Error('recording file was not opened');
    try {
      if (this.failed) throw this.failed;
      const u32 = Buffer.alloc(4);
      for (const { at, value } of sizes) {
        u32.writeUInt32LE(value);
        writeSync(fd, u32, 0, 4, at);
      }
    } finally {
      close(fd, () => undefined);
    }
  }

  /** position -1 = at the end; `owned` = the buffer is ours to keep (no copy for an async write). */
  private writeAt(chunk: Buffer, length: number, position: number, owned: boolean): void {
    const fd = this.fd;
    if (fd === undefined || this.failed) return;
    const at = position >= 0 ? position : this.offset;
    if (position < 0) this.offset += length;
    if (this.disk.writeAsync) {
      const data = owned ? chunk : Buffer.from(chunk.subarray(0, length));
      this.inFlight += 1;
      this.writeRest(fd, data, 0, length, at);
      return;
    }
    const started = performance.now();
    try {
      // A short write (a nearly full disk) is continued, or fails with the reason.
      for (let done = 0; done < length;) {
        done += writeSync(fd, chunk, done, length - done, at + done);
      }
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    const ms = performance.now() - started;
    if (ms > this.disk.slowWriteMs && !this.disk.writeAsync) {
      this.disk.writeAsync = true;
      this.onSlowDisk?.(ms);
    }
  }

  /** Writes data[from, to) at `at`, continuing after short writes; one inFlight for the whole. */
  private writeRest(fd: number, data: Buffer, from: number, to: number, at: number): void {
    write(fd, data, from, to - from, at, (err, written) => {
      if (!err && from + written < to) return this.writeRest(fd, data, from + written, to, at + written);
      if (err) this.fail(err);
      if (--this.inFlight === 0) this.drained?.();
    });
  }

  private fail(err: Error): void {
    this.failed ??= err;
  }
}
