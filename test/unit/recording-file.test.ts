// RecordingFile: chunks land in order at their offsets, synchronously while the disk keeps up and
// asynchronously once a write was slow, and the header sizes are patched at the end.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RecordingFile } from '../../src/call/recording-file.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'recfile-'));
const header = Buffer.from('HEAD0000');

describe('RecordingFile', () => {
  it('appends chunks after the header, even before the file is open, and patches the sizes', async () => {
    const file = path.join(dir(), 'a', 'b', 'call.wav');
    const f = new RecordingFile(file, header);
    const chunk = Buffer.from('xxxxyyyy');
    f.append(chunk, 4); // before open: copied, since the caller reuses its buffer
    chunk.write('zzzz');
    f.append(chunk, 8);
    await f.finish([{ at: 4, value: 0x31323334 }]);
    expect(readFileSync(file, 'latin1')).toBe('HEAD4321xxxxzzzzyyyy');
  });

  it('turns asynchronous after a slow write, says so once, and still writes everything in order', async () => {
    const slow: number[] = [];
    // Any write is "slow" here: the first synchronous one switches the process to asynchronous writes.
    const first = new RecordingFile(path.join(dir(), 'one.wav'), header, (ms) => slow.push(ms), -1);
    await new Promise((r) => setTimeout(r, 20));
    expect(slow).toHaveLength(1);
    const file = path.join(dir(), 'two.wav');
    const second = new RecordingFile(file, header, (ms) => slow.push(ms), -1);
    await new Promise((r) => setTimeout(r, 20));
    const scratch = Buffer.alloc(1000);
    for (let i = 0; i < 50; i++) {
      scratch.fill(65 + (i % 26));
      second.append(scratch, 1000); // reused at once: an asynchronous write must have copied it
    }
    await Promise.all([first.finish([]), second.finish([])]);
    expect(slow).toHaveLength(1);
    const body = readFileSync(file, 'latin1').slice(header.length);
    expect(body).toHaveLength(50_000);
    for (let i = 0; i < 50; i++) expect(body[i * 1000]).toBe(String.fromCharCode(65 + (i % 26)));
  });

  it('fails the recording, not the caller, when the file cannot be written', async () => {
    const blocker = path.join(dir(), 'file');
    const f0 = new RecordingFile(blocker, header);
    await f0.finish([]);
    const f = new RecordingFile(path.join(blocker, 'under-a-file.wav'), header);
    f.append(Buffer.alloc(10), 10);
    await expect(f.finish([])).rejects.toThrow();
  });
});
