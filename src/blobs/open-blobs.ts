// The BlobStore the configuration names: BLOB_STORE=filesystem (default; BLOB_DIR or DATA_DIR)
// or BLOB_STORE=s3 (S3_ENDPOINT, S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY).
import type { Config } from '../config.js';
import type { BlobStore } from './blob-store.js';
import { createFsBlobStore } from './fs-blob-store.js';
import { createS3BlobStore } from './s3-blob-store.js';

export function openBlobStore(config: Pick<Config, 'blobs'>): BlobStore {
  return config.blobs.kind === 's3' ? createS3BlobStore(config.blobs) : createFsBlobStore(config.blobs.dir);
}
