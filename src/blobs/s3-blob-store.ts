// Blobs in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Backblaze B2, Ceph): path-style
// URLs (`<endpoint>/<bucket>/<key>`, which every one of them serves), SigV4-signed (sigv4.ts),
// over node:http(s) so uploads stream from the file with their length and downloads stream to the
// player with their Range, never whole in memory.
import { createReadStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import type { BlobConfig } from '../config.js';
import { BlobMissing, checkBlobKey, type BlobStore } from './blob-store.js';
import { EMPTY_SHA256, sha256Hex, signRequest, uriEncode, type SigV4Key } from './sigv4.js';

export type S3Settings = Extract<BlobConfig, { kind: 's3' }> & { timeoutMs?: number };

interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

/** An S3 answer we did not expect, with S3's own error code when its XML says one. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly s3Code: string | undefined,
    what: string,
  ) {
    super(`S3 ${what}: ${status}${s3Code ? ` ${s3Code}` : ''}`);
    this.name = 'S3Error';
  }
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export function createS3BlobStore(s: S3Settings): BlobStore {
  const key: SigV4Key = {
    accessKeyId: s.accessKeyId,
    secretAccessKey: s.secretAccessKey,
    region: s.region,
    service: 's3',
  };
  const urlOf = (k: string) => new URL(`${s.endpoint}/${s.bucket}/${uriEncode(checkBlobKey(k), true)}`);

  const send = (
    method: string,
    k: string,
    opts: { headers?: Record<string, string>; payloadHash?: string; body?: Buffer | Readable } = {},
  ): Promise<Sent> => {
    const url = urlOf(k);
    const headers = signRequest(
      {
        method,
        url,
        headers: opts.headers ?? {},
        payloadHash: opts.payloadHash ?? EMPTY_SHA256,
        now: new Date(),
      },
      key,
    );
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Sent>((resolve, reject) => {
      const req = client.request(url, { method, headers, timeout: s.timeoutMs ?? 30_000 }, (res) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
      req.on('timeout', () => req.destroy(new Error(`S3 ${method} timed out`)));
      req.on('error', reject);
      const body = opts.body;
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else body.on('error', (err) => req.destroy(err)).pipe(req);
    });
  };

  /** Reads (at most 4 KiB of) an error answer for S3's <Code>, and throws. */
  const fail = async (sent: Sent, what: string): Promise<never> => {
    let text = '';
    for await (const chunk of sent.body) {
      if (text.length < 4096) text += String(chunk);
    }
    throw new S3Error(sent.status, /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1], what);
  };
  const drain = (sent: Sent) => sent.body.resume();

  const upload = async (
    k: string,
    contentType: string,
    length: number,
    hash: string,
    body: Buffer | Readable,
  ) => {
    const sent = await send('PUT', k, {
      headers: { 'content-type': contentType, 'content-length': String(length) },
      payloadHash: hash,
      body,
    });
    if (sent.status !== 200) await fail(sent, `PUT ${k}`);
    drain(sent);
  };

  return {
    kind: 's3',
    async adopt(file, k, contentType) {
      const { size } = await stat(file);
      await upload(k, contentType, size, await fileSha256(file), createReadStream(file));
      await unlink(file);
    },
    put: (k, body, contentType) => upload(k, contentType, body.length, sha256Hex(body), body),
    async size(k) {
      const sent = await send('HEAD', k);
      drain(sent);
      if (sent.status === 404) return undefined;
      if (sent.status !== 200) throw new S3Error(sent.status, undefined, `HEAD ${k}`);
      return Number(sent.headers['content-length']);
    },
    async read(k, range) {
      const sent = await send(
        'GET',
        k,
        range ? { headers: { range: `bytes=${range.start}-${range.end}` } } : {},
      );
      if (sent.status === 404) {
        drain(sent);
        throw new BlobMissing(k);
      }
      if (sent.status !== (range ? 206 : 200)) await fail(sent, `GET ${k}`);
      return sent.body;
    },
    async delete(k) {
      const sent = await send('DELETE', k);
      if (sent.status !== 204 && sent.status !== 200 && sent.status !== 404) await fail(sent, `DELETE ${k}`);
      drain(sent);
    },
  };
}
