// AWS Signature Version 4 for S3 requests, with node:crypto. Written here rather than taken from
// the AWS SDK (≈ 4 MB, dozens of packages, for four plain requests) or a smaller client: the
// signing is a page of well-specified HMACs, pinned by AWS's own published example
// (test/blobs/sigv4.test.ts), and S3-compatible stores (MinIO, R2, B2, Ceph) all accept it.
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Key {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
}

export interface SignInput {
  method: string;
  url: URL;
  /** Headers to sign besides host, x-amz-date and x-amz-content-sha256 (e.g. range, content-type). */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD. */
  payloadHash: string;
  now: Date;
}

export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ (and `/` in paths). */
export function uriEncode(text: string, keepSlash: boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `20130524T000000Z` */
export function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** The canonical request, string to sign and signature; exported for the tests and the fake S3. */
export function signatureOf(input: SignInput, key: SigV4Key, signedHeaders: Record<string, string>) {
  const date = amzDate(input.now);
  const day = date.slice(0, 8);
  const names = Object.keys(signedHeaders)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(signedHeaders).map(([k, v]) => [k.toLowerCase(), v]));
  const query = [...input.url.searchParams]
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    input.method,
    // The path arrives already encoded in a URL: decode once so each segment is encoded once.
    uriEncode(decodeURIComponent(input.url.pathname), true),
    query,
    names.map((n) => `${n}:${String(lower[n]).trim().replace(/\s+/g, ' ')}\n`).join(''),
    names.join(';'),
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${key.region}/${key.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonical)].join('\n');
  const signing = hmac(
    hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, day), key.region), key.service),
    'aws4_request',
  );
  return {
    canonical,
    toSign,
    scope,
    signedNames: names.join(';'),
    signature: hmac(signing, toSign).toString('hex'),
  };
}

/** The request's headers with x-amz-date, x-amz-content-sha256 and the Authorization added. */
export function signRequest(input: SignInput, key: SigV4Key): Record<string, string> {
  const headers: Record<string, string> = {
    ...input.headers,
    host: input.url.host,
    'x-amz-date': amzDate(input.now),
    'x-amz-content-sha256': input.payloadHash,
  };
  const { scope, signedNames, signature } = signatureOf(input, key, headers);
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope}, SignedHeaders=${signedNames}, Signature=${signature}`;
  return headers;
}
