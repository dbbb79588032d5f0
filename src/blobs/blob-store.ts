// Where recordings are kept so that every instance's API can serve them: call audio, answer clips
// and fetched voicemails. A row names its audio as `blob:<key>` (blobRef), independent of where
// any instance mounts its files, and every instance opens the same store: a shared directory
// (filesystem, the default) or an S3-compatible bucket. Recordings are still written to the local
// DATA_DIR while the call lasts (frame by frame, see recording-file.ts) and handed over once
// finished with `adopt`, so the per-frame path never touches the store.
import type { Readable } from 'node:stream';

/** Bytes start…end, both included (HTTP's Range). */
export interface BlobRange {
  start: number;
  end: number;
}

export interface BlobStore {
  readonly kind: 'filesystem' | 's3';
  /** Takes the finished local `file` in under `key`; the local file is gone afterwards. */
  adopt(file: string, key: string, contentType: string): Promise<void>;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The blob's size in bytes, or undefined when there is none. */
  size(key: string): Promise<number | undefined>;
  /** The blob's bytes (a range of them); rejects with BlobMissing when there is none. */
  read(key: string, range?: BlobRange): Promise<Readable>;
  /** Removes the blob; no error when there is none. */
  delete(key: string): Promise<void>;
}

export class BlobMissing extends Error {
  constructor(key: string) {
    super(`no blob ${key}`);
    this.name = 'BlobMissing';
  }
}

const REF = 'blob:';
/** Keys are relative paths we make from sids: letters, digits, `._-`, `/` between segments, no `..`. */
const KEY = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9._-]+)*$/;

export function checkBlobKey(key: string): string {
  if (key.length > 512 || !KEY.test(key))
    throw new Error(`not a blob key: ${JSON.stringify(key.slice(0, 80))}`);
  return key;
}

/** What a recording row keeps as its url. */
export function blobRef(key: string): string {
  return `${REF}${checkBlobKey(key)}`;
}

/** The key a recording row's url names, or undefined for another kind of url (a path, Twilio's). */
export function blobKeyOf(url: string): string | undefined {
  if (!url.startsWith(REF)) return undefined;
  const key = url.slice(REF.length);
  return KEY.test(key) && key.length <= 512 ? key : undefined;
}
