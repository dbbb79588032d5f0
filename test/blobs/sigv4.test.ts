// SigV4 against AWS's own published example (S3 API reference, "Signature Calculations for the
// Authorization Header": GET Object with a Range), so the signer is right independently of the
// fake S3 server that checks it.
import { describe, expect, it } from 'vitest';
import { EMPTY_SHA256, signatureOf, signRequest, uriEncode } from '../../src/blobs/sigv4.js';

const key = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 's3',
};

describe('SigV4', () => {
  it('signs AWS’s GET Object example to its published signature', () => {
    const input = {
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { range: 'bytes=0-9' },
      payloadHash: EMPTY_SHA256,
      now: new Date('2013-05-24T00:00:00Z'),
    };
    const headers = signRequest(input, key);
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('encodes each byte once, keeping slashes only in paths', () => {
    expect(uriEncode('a b/ü~', true)).toBe('a%20b/%C3%BC~');
    expect(uriEncode('a/b', false)).toBe('a%2Fb');
    const { canonical } = signatureOf(
      {
        method: 'GET',
        url: new URL('https://h.example/b/k%20x?b=2&a=1'),
        headers: {},
        payloadHash: EMPTY_SHA256,
        now: new Date(0),
      },
      key,
      { host: 'h.example' },
    );
    expect(canonical.split('\n').slice(0, 3)).toEqual(['GET', '/b/k%20x', 'a=1&b=2']);
  });
});
