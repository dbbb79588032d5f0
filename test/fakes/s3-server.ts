// A fake S3 on port 0 speaking what the S3 blob store uses, path-style (/<bucket>/<key>): PUT,
// GET (with Range → 206 Content-Range, 416 outside), HEAD, DELETE, S3's XML errors. Every request
// must carry a valid SigV4 Authorization for the one key pair it knows, and a PUT's body must
// match its x-amz-content-sha256. It checks the signature with src/blobs/sigv4.ts's canonical
// form, which test/blobs/sigv4.test.ts pins to AWS's published example.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureOf } from '../../src/blobs/sigv4.js';

export interface FakeS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  objects: Map<string, { body: Buffer; contentType: string }>;
  /** Method and key of each request, and the status answered. */
  log: { method: string; key: string; status: number; range?: string }[];
  close(): Promise<void>;
}

const xmlError = (res: http.ServerResponse, status: number, code: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
  );
};

export async function startFakeS3(opts: { bucket?: string; region?: string } = {}): Promise<FakeS3> {
  const bucket = opts.bucket ?? 'recordings';
  const region = opts.region ?? 'eu-west-1';
  const accessKeyId = 'AKIAFAKES3TESTKEY000';
  const secretAccessKey = 'fake-s3-secret-0123456789abcdefghijklmn';
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const log: FakeS3['log'] = [];

  const authorised = (req: http.IncomingMessage, url: URL): boolean => {
    const auth =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        req.headers.authorization ?? '',
      );
    const date = req.headers['x-amz-date'];
    const payloadHash = req.headers['x-amz-content-sha256'];
    if (!auth || typeof date !== 'string' || typeof payloadHash !== 'string') return false;
    const [, keyId, day, signedRegion, names, signature] = auth;
    if (keyId !== accessKeyId || signedRegion !== region || date.slice(0, 8) !== day) return false;
    const now = new Date(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    if (Math.abs(Date.now() - now.getTime()) > 15 * 60_000) return false;
    const signed = Object.fromEntries(names!.split(';').map((n) => [n, String(req.headers[n] ?? '')]));
    const expected = signatureOf(
      { method: req.method ?? '', url, headers: {}, payloadHash, now },
      { accessKeyId, secretAccessKey, region, service: 's3' },
      signed,
    ).signature;
    return expected === signature && names!.includes('host') && names!.includes('x-amz-content-sha256');
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const [, b, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number) =>
        log.push({
          method: req.method ?? '',
          key,
          status,
          ...(req.headers.range ? { range: req.headers.range } : {}),
        });
      if (!authorised(req, url)) return (reply(403), xmlError(res, 403, 'SignatureDoesNotMatch'));
      if (b !== bucket) return (reply(404), xmlError(res, 404, 'NoSuchBucket'));
      const body = Buffer.concat(chunks);
      switch (req.method) {
        case 'PUT': {
          if (createHash('sha256').update(body).digest('hex') !== req.headers['x-amz-content-sha256'])
            return (reply(400), xmlError(res, 400, 'XAmzContentSHA256Mismatch'));
          objects.set(key, { body, contentType: req.headers['content-type'] ?? 'binary/octet-stream' });
          reply(200);
          res.writeHead(200, { etag: '"x"' });
          return res.end();
        }
        case 'GET':
        case 'HEAD': {
          const obj = objects.get(key);
          if (!obj)
            return (
              reply(404),
              req.method === 'HEAD' ? (res.writeHead(404), res.end()) : xmlError(res, 404, 'NoSuchKey')
            );
          const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
          if (req.headers.range && (!range || Number(range[1]) >= obj.body.length))
            return (reply(416), xmlError(res, 416, 'InvalidRange'));
          if (range) {
            const start = Number(range[1]);
            const end = Math.min(Number(range[2]), obj.body.length - 1);
            reply(206);
            res.writeHead(206, {
              'content-type': obj.contentType,
              'content-length': end - start + 1,
              'content-range': `bytes ${start}-${end}/${obj.body.length}`,
            });
            return res.end(obj.body.subarray(start, end + 1));
          }
          reply(200);
          res.writeHead(200, { 'content-type': obj.contentType, 'content-length': obj.body.length });
          return res.end(req.method === 'HEAD' ? undefined : obj.body);
        }
        case 'DELETE':
          objects.delete(key);
          reply(204);
          res.writeHead(204);
          return res.end();
        default:
          reply(405);
          return xmlError(res, 405, 'MethodNotAllowed');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId,
    secretAccessKey,
    region,
    objects,
    log,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
