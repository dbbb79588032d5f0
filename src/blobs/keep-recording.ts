// The one step from a finished recording file (written under DATA_DIR during the call) to the
// url its row keeps: `blob:<its path under DATA_DIR>` once the blob store has it, so any
// instance can serve it. Without a store (tests of one part) the row keeps the local path.
import path from 'node:path';
import { blobRef, type BlobStore } from './blob-store.js';

export async function keepRecording(
  blobs: BlobStore | undefined,
  dataDir: string,
  file: string,
  contentType = 'audio/wav',
): Promise<string> {
  if (!blobs) return file;
  const relative = path.relative(path.resolve(dataDir), path.resolve(file));
  if (relative.startsWith('..') || path.isAbsolute(relative))
    throw new Error('the recording is outside DATA_DIR');
  const key = relative.split(path.sep).join('/');
  await blobs.adopt(file, key, contentType);
  return blobRef(key);
}
