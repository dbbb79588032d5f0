// The scale-out settings: the bus channel, the blob store and S3's four required values, each
// refused with a ConfigError naming the variable (S3_SECRET_ACCESS_KEY is masked like every *_KEY).
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

const problems = (env: Record<string, string>) => {
  try {
    parseConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('scale-out configuration', () => {
  it('defaults to one bus channel and recordings in DATA_DIR', () => {
    const c = parseConfig({ DATA_DIR: '/srv/agentlocator' });
    expect(c.busChannel).toBe('agentlocator_bus');
    expect(c.blobs).toEqual({ kind: 'filesystem', dir: '/srv/agentlocator' });
    expect(parseConfig({ DATA_DIR: '/srv/a', BLOB_DIR: '/mnt/shared' }).blobs).toEqual({
      kind: 'filesystem',
      dir: '/mnt/shared',
    });
  });

  it('takes an S3 store with its four values, region us-east-1 unless set', () => {
    const c = parseConfig({
      BLOB_STORE: 's3',
      S3_ENDPOINT: 'https://s3.example.com/',
      S3_BUCKET: 'calls-eu',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      S3_SECRET_ACCESS_KEY: 'secret-key-value',
    });
    expect(c.blobs).toMatchObject({ kind: 's3', endpoint: 'https://s3.example.com', region: 'us-east-1' });
  });

  it('names what is missing or wrong', () => {
    expect(problems({ BLOB_STORE: 's3', S3_BUCKET: 'calls-eu' })).toEqual([
      'S3_ENDPOINT: BLOB_STORE=s3 needs it',
      'S3_ACCESS_KEY_ID: BLOB_STORE=s3 needs it',
      'S3_SECRET_ACCESS_KEY: BLOB_STORE=s3 needs it',
    ]);
    expect(problems({ BUS_CHANNEL: 'Bad-Channel' })[0]).toMatch(/^BUS_CHANNEL: /);
    expect(problems({ BLOB_STORE: 'ftp' })[0]).toMatch(/^BLOB_STORE: must be "filesystem" or "s3"/);
    expect(problems({ S3_ENDPOINT: 'ftp://x' })[0]).toMatch(/^S3_ENDPOINT: must be an http\(s\):\/\/ origin/);
  });
});
