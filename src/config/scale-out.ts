// What several instances share to act as one: the database, the event bus (Redis or PostgreSQL
// LISTEN, on one channel) and the blob store recordings live in.
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config.js';
import { ConfigError } from './config-error.js';
import { empty, opt } from './schema-kit.js';

export type BlobConfig =
  | { readonly kind: 'filesystem'; readonly dir: string }
  | {
      readonly kind: 's3';
      readonly endpoint: string;
      readonly bucket: string;
      readonly region: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
    };

export const scaleOutEnvSchema = z.object({
  DATABASE_URL: opt(
    z.string().regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL, or empty for SQLite' }),
  ),
  REDIS_URL: opt(z.string().regex(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })),
  BUS_CHANNEL: opt(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be lower-case letters, digits and _ (≤ 63)' }),
  ),
  BLOB_STORE: z.preprocess(
    empty,
    z.enum(['filesystem', 's3'], { message: 'must be "filesystem" or "s3"' }).optional(),
  ),
  BLOB_DIR: opt(z.string()),
  S3_ENDPOINT: opt(z.string().regex(/^https?:\/\/[^/?#]+\/?$/, { message: 'must be an http(s):// origin' })),
  S3_BUCKET: opt(
    z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name' }),
  ),
  S3_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, { message: 'must be a region such as us-east-1' })),
  S3_ACCESS_KEY_ID: opt(z.string()),
  S3_SECRET_ACCESS_KEY: opt(z.string()),
});

type ScaleOutEnv = z.infer<typeof scaleOutEnvSchema>;

export type ScaleOutSettings = Pick<Config, 'databaseUrl' | 'redisUrl' | 'busChannel' | 'blobs'>;

export function scaleOutConfig(e: ScaleOutEnv, dataDir: string): ScaleOutSettings {
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    busChannel: e.BUS_CHANNEL ?? 'agentlocator_bus',
    blobs: blobConfig(e, dataDir),
  };
}

/** BLOB_STORE=s3 needs its endpoint, bucket and keys; the filesystem default is BLOB_DIR or DATA_DIR. */
function blobConfig(e: ScaleOutEnv, dataDir: string): BlobConfig {
  if (e.BLOB_STORE !== 's3') return { kind: 'filesystem', dir: path.resolve(e.BLOB_DIR ?? dataDir) };
  const {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: keyId,
    S3_SECRET_ACCESS_KEY: secret,
  } = e;
  if (!endpoint || !bucket || !keyId || !secret) {
    const missing = {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: keyId,
      S3_SECRET_ACCESS_KEY: secret,
    };
    throw new ConfigError(
      Object.entries(missing)
        .filter(([, v]) => !v)
        .map(([k]) => `${k}: BLOB_STORE=s3 needs it`),
    );
  }
  return {
    kind: 's3',
    endpoint: endpoint.replace(/\/$/, ''),
    bucket,
    region: e.S3_REGION ?? 'us-east-1',
    accessKeyId: keyId,
    secretAccessKey: secret,
  };
}
