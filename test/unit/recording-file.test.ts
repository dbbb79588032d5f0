// RecordingFile: chunks land in order at their offsets, synchronously while the disk keeps up and
// asynchronously once a write was slow, and the header sizes are patched at the end. Each test
// has its own RecordingDisk, so one that turns a disk asynchronous leaves the others as they were.
import { describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RecordingDisk, RecordingFile } from '../../src/call/recording-file.js';

// The real fs, watched: which of the file's writes were synchronous and which were not.
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  return { ...real, write: vi.fn(real.write), writeSync: vi.fn(real.writeSync) };
});
const { mkdtempSync, readFileSync } = fs;
const writes = () => ({
  sync: vi.mocked(fs.writeSync).mock.calls.length,
  async: vi.mocked(fs.write).mock.calls.length,
});

const dir = () => mkdtempSync(path.join(tmpdir(), 'recfile-'));
const header = Buffer.from('HEAD0000');
/** A disk on which every write counts as slow (none takes less than 0 ms), and one where none does. */
const slowDisk = () => new RecordingDisk(-1);
const steadyDisk = () => new RecordingDisk(Number.POSITIVE_INFINITY);

describe('RecordingFile', () => {
  it('appends chunks after the header, even before the file is open, and patches the sizes', async () => {
    const file = path.join(dir(), 'a', 'b', 'call.wav');
    const f = new RecordingFile(file, header, undefined, steadyDisk());
    const chunk = Buffer.from('xxxxyyyy');
    f.append(chunk, 4); // before open: copied, since the caller reuses its buffer
    chunk.write('zzzz');
    f.append(chunk, 8);
    await f.finish([{ at: 4, value: 0x31323334 }]);
    expect(readFileSync(file, 'latin1')).toBe('HEAD4321xxxxzzzzyyyy');
  });

  it('writes synchronously while the disk keeps up: the bytes are in the file when append returns', async () => {
    const file = path.join(dir(), 'sync.wav');
    const disk = steadyDisk();
    const f = new RecordingFile(file, header, () => expect.fail('the disk was not slow'), disk);
    await f.opened;
    const before = writes();
    f.append(Buffer.from('abcd'), 4);
    expect(readFileSync(file, 'latin1')).toBe('HEAD0000abcd');
    expect(writes()).toEqual({ sync: before.sync + 1, async: before.async });
    expect(disk.writeAsync).toBe(false);
    await f.finish([]);
  });

  it('turns asynchronous after a slow write, says so once, and still writes everything in order', async () => {
    const slow: number[] = [];
    const disk = slowDisk();
    // The first file's header write is the slow one: from then on every file on this disk is asynchronous.
    const first = new RecordingFile(path.join(dir(), 'one.wav'), header, (ms) => slow.push(ms), disk);
    await first.opened;
    expect(slow).toHaveLength(1);
    expect(disk.writeAsync).toBe(true);
    const file = path.join(dir(), 'two.wav');
    const second = new RecordingFile(file, header, (ms) => slow.push(ms), disk);
    await second.opened;
    const before = writes();
    const scratch = Buffer.alloc(1000);
    for (let i = 0; i < 50; i++) {
      scratch.fill(65 + (i % 26));
      second.append(scratch, 1000); // reused at once: an asynchronous write must have copied it
    }
    expect(writes().sync).toBe(before.sync);
    expect(writes().async).toBeGreaterThanOrEqual(before.async + 50);
    await Promise.all([first.finish([]), second.finish([])]);
    expect(slow).toHaveLength(1);
    const body = readFileSync(file, 'latin1').slice(header.length);
    expect(body).toHaveLength(50_000);
    for (let i = 0; i < 50; i++) expect(body[i * 1000]).toBe(String.fromCharCode(65 + (i % 26)));

    // Another disk is not told by this one.
    const elsewhere = path.join(dir(), 'elsewhere.wav');
    const third = new RecordingFile(elsewhere, header, undefined, steadyDisk());
    await third.opened;
    const then = writes();
    third.append(Buffer.from('abcd'), 4);
    expect(writes()).toEqual({ sync: then.sync + 1, async: then.async });
    await third.finish([]);
    expect(readFileSync(elsewhere, 'latin1')).toBe('HEAD0000abcd');
  });

  it('fails the recording, not the caller, when the file cannot be written', async () => {
    const disk = steadyDisk();
    const blocker = path.join(dir(), 'file');
    const f0 = new RecordingFile(blocker, header, undefined, disk);
    await f0.finish([]);
    const f = new RecordingFile(path.join(blocker, 'under-a-file.wav'), header, undefined, disk);
    f.append(Buffer.alloc(10), 10);
    await expect(f.finish([])).rejects.toThrow();
  });
});
