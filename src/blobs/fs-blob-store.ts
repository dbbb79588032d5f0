// Blobs as files under one directory (BLOB_DIR, default DATA_DIR): for several instances, a
// volume they all mount (NFS, EFS, a Docker volume on one host). Files 0600, directories 0700.
// With the directory being DATA_DIR, adopting a recording already in place costs nothing.
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BlobMissing, checkBlobKey, type BlobRange, type BlobStore } from './blob-store.js';

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export function createFsBlobStore(dir: string): BlobStore {
  const root = path.resolve(dir);
  const fileOf = (key: string) => path.join(root, ...checkBlobKey(key).split('/'));
  const parent = (file: string) => mkdir(path.dirname(file), { recursive: true, mode: 0o700 });

  return {
    kind: 'filesystem',
    async adopt(file, key) {
      const target = fileOf(key);
      if (path.resolve(file) === target) return void (await chmod(target, 0o600));
      await parent(target);
      try {
        await rename(file, target);
      } catch (err) {
        // A shared volume is often another filesystem than the local DATA_DIR.
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
        await copyFile(file, target);
        await unlink(file);
      }
      await chmod(target, 0o600);
    },
    async put(key, body) {
      const target = fileOf(key);
      await parent(target);
      const temp = `${target}.${process.pid}.part`;
      await writeFile(temp, body, { mode: 0o600 });
      await rename(temp, target);
    },
    async size(key) {
      try {
        const info = await stat(fileOf(key));
        return info.isFile() ? info.size : undefined;
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    async read(key, range?: BlobRange): Promise<Readable> {
      const file = fileOf(key);
      const info = await stat(file).catch((err: unknown) => {
        throw missing(err) ? new BlobMissing(key) : err;
      });
      if (!info.isFile()) throw new BlobMissing(key);
      return createReadStream(file, range ? { start: range.start, end: range.end } : {});
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
  };
}
