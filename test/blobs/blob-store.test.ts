// The BlobStore contract on the filesystem and on S3 (a fake S3 server on port 0 that checks
// every SigV4 signature): put, size, whole and ranged reads, adopt (the local file moves in),
// delete, missing blobs, and keys that would leave the store refused.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobMissing, blobKeyOf, blobRef, type BlobStore } from '../../src/blobs/blob-store.js';
import { createFsBlobStore } from '../../src/blobs/fs-blob-store.js';
import { createS3BlobStore, S3Error } from '../../src/blobs/s3-blob-store.js';
import { startFakeS3, type FakeS3 } from '../fakes/s3-server.js';

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

const local = () => mkdtempSync(path.join(tmpdir(), 'agentlocator-blobs-'));

let s3: FakeS3;
beforeAll(async () => {
  s3 = await startFakeS3();
});
afterAll(() => s3.close());

const s3Settings = () => ({
  kind: 's3' as const,
  endpoint: s3.endpoint,
  bucket: s3.bucket,
  region: s3.region,
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
});

const stores: { name: string; open: () => BlobStore }[] = [
  { name: 'filesystem', open: () => createFsBlobStore(local()) },
  { name: 'S3 (fake server)', open: () => createS3BlobStore(s3Settings()) },
];

for (const { name, open } of stores) {
  describe(`blob store: ${name}`, () => {
    it('keeps, sizes, reads whole and in ranges, and deletes', async () => {
      const store = open();
      const key = `calls/CA${'1'.repeat(32)}/call-x.wav`;
      await store.put(key, Buffer.from('0123456789abcdef'), 'audio/wav');
      expect(await store.size(key)).toBe(16);
      expect(await text(await store.read(key))).toBe('0123456789abcdef');
      expect(await text(await store.read(key, { start: 3, end: 6 }))).toBe('3456');
      expect(await text(await store.read(key, { start: 15, end: 15 }))).toBe('f');
      await store.delete(key);
      expect(await store.size(key)).toBeUndefined();
      await expect(store.read(key)).rejects.toBeInstanceOf(BlobMissing);
      await store.delete(key); // nothing there: no error
    });

    it('adopts a finished local file: its bytes are in the store, the local copy is gone', async () => {
      const store = open();
      const file = path.join(local(), 'call.wav');
      const bytes = Buffer.alloc(100_000, 7);
      writeFileSync(file, bytes);
      await store.adopt(file, 'recordings/RE1.wav', 'audio/wav');
      expect(existsSync(file)).toBe(false);
      expect(await store.size('recordings/RE1.wav')).toBe(bytes.length);
      const chunks: Buffer[] = [];
      for await (const c of await store.read('recordings/RE1.wav')) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    });

    it('refuses keys that would leave the store', async () => {
      const store = open();
      for (const bad of ['../x', 'a/../../x', '/abs', 'a//b', '']) {
        await expect(store.put(bad, Buffer.from('x'), 'text/plain')).rejects.toThrow(/not a blob key/);
      }
    });
  });
}

describe('blob references and the S3 and filesystem specifics', () => {
  it('names a blob in a recording row as blob:<key>, and reads only such rows back', () => {
    expect(blobRef('calls/CA1/a.wav')).toBe('blob:calls/CA1/a.wav');
    expect(blobKeyOf('blob:calls/CA1/a.wav')).toBe('calls/CA1/a.wav');
    expect(blobKeyOf('/data/calls/a.wav')).toBeUndefined();
    expect(blobKeyOf('blob:../etc/passwd')).toBeUndefined();
  });

  it('keeps filesystem blobs 0600 in 0700 directories; a file already in place stays', async () => {
    const dir = local();
    const store = createFsBlobStore(dir);
    await store.put('calls/CA2/a.wav', Buffer.from('x'), 'audio/wav');
    expect(statSync(path.join(dir, 'calls/CA2/a.wav')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'calls/CA2')).mode & 0o777).toBe(0o700);
    const inPlace = path.join(dir, 'calls/CA2/b.wav');
    writeFileSync(inPlace, 'in place', { mode: 0o644 });
    await store.adopt(inPlace, 'calls/CA2/b.wav', 'audio/wav');
    expect(readFileSync(inPlace, 'utf8')).toBe('in place');
    expect(statSync(inPlace).mode & 0o777).toBe(0o600);
  });

  it('is refused by S3 with a wrong secret, naming S3’s code', async () => {
    const store = createS3BlobStore({
      ...s3Settings(),
      secretAccessKey: 'wrong-secret-wrong-secret-wrong-secret',
    });
    const err = await store.put('k', Buffer.from('x'), 'text/plain').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3Error);
    expect(err).toMatchObject({ status: 403, s3Code: 'SignatureDoesNotMatch' });
  });

  it('sends S3 the Range and the content type, and keys with the bytes asked for', async () => {
    const store = createS3BlobStore(s3Settings());
    await store.put('calls/CA3/c.wav', Buffer.from('RIFF....WAVE'), 'audio/wav');
    expect(s3.objects.get('calls/CA3/c.wav')?.contentType).toBe('audio/wav');
    await text(await store.read('calls/CA3/c.wav', { start: 8, end: 11 }));
    expect(s3.log.at(-1)).toMatchObject({ method: 'GET', status: 206, range: 'bytes=8-11' });
  });
});
