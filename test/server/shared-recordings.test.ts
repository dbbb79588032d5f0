// Files any instance can serve: two instances on one PostgreSQL schema, recordings in one S3
// bucket (a fake S3 server on port 0 that checks every signature). A call recorded on A is
// uploaded when it ends (A's local copy gone) and B's API plays it whole and by range; the size
// per second of call is what a stereo μ-law WAV should weigh (16 000 bytes a second).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioEmulator } from '../../src/emulator/index.js';
import { blobKeyOf } from '../../src/blobs/blob-store.js';
import { ADMIN_PASSWORD, ApiClient } from '../api/support.js';
import { startFakeS3, type FakeS3 } from '../fakes/s3-server.js';
import { CLUSTER_BUSES, startCluster, type Cluster } from '../support/cluster.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, freePort } from '../support/server.js';
import { until } from '../support/until.js';

const PUBLIC = 'recordings.example.com';
const { skip } = CLUSTER_BUSES.find((b) => b.bus === 'postgres')!;

describe.skipIf(skip)(`recordings in S3, served by any instance${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let cluster: Cluster;
  let s3: FakeS3;
  let emulator: TwilioEmulator;

  beforeAll(async () => {
    s3 = await startFakeS3();
    const port = await freePort();
    emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      networkMap: { [`https://${PUBLIC}`]: `http://127.0.0.1:${port}` },
    });
    cluster = await startCluster(2, {
      bus: 'postgres',
      env: {
        PUBLIC_HOST: PUBLIC,
        ADMIN_PASSWORD,
        BLOB_STORE: 's3',
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_REGION: s3.region,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      envOf: (i): Record<string, string> => (i === 0 ? { PORT: String(port) } : {}),
    });
  }, 60_000);
  afterAll(async () => {
    await emulator?.close();
    await cluster?.close();
    await s3?.close();
  });

  it('uploads A’s call audio when the call ends and plays it from B, whole and by range', async () => {
    const [a, b] = cluster.servers;
    const call = emulator.placeCall({
      webhookUrl: `https://${PUBLIC}/webhook/incoming_call`,
      caller: { hangUpAfterMs: 3000 },
    });
    await call.done;
    const rows = await until(() => a!.store.listRecordings(call.callSid), 'the call-audio row', {
      is: (all) => all.some((r) => r.source === 'call-audio'),
    });
    const row = rows.find((r) => r.source === 'call-audio')!;
    const key = blobKeyOf(row.url!);
    expect(key).toMatch(new RegExp(`^calls/${call.callSid}/call-MZ[0-9a-f]{32}\\.wav$`));
    const object = s3.objects.get(key!);
    expect(object?.contentType).toBe('audio/wav');
    expect(existsSync(path.join(a!.dataDir, key!))).toBe(false);

    const onB = new ApiClient(b!.origin);
    expect((await onB.login('admin', ADMIN_PASSWORD)).status).toBe(200);
    const cookie = [...onB.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const audioUrl = `${b!.origin}/api/v1/recordings/${row.recordingSid}/audio`;
    const whole = await fetch(audioUrl, { headers: { cookie } });
    expect(whole.status).toBe(200);
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.equals(object!.body)).toBe(true);
    const head = await fetch(audioUrl, { headers: { cookie, range: 'bytes=0-11' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-11/${bytes.length}`);
    expect(Buffer.from(await head.arrayBuffer()).toString('latin1')).toMatch(/^RIFF....WAVE$/s);
    const past = await fetch(audioUrl, { headers: { cookie, range: `bytes=${bytes.length}-` } });
    expect(past.status).toBe(416);

    // Stereo μ-law at 8 kHz: 2 bytes a sample pair, 16 000 a second, 0.96 MB a minute.
    const dataBytes = bytes.length - 44;
    const seconds = dataBytes / 16_000;
    expect(seconds).toBeGreaterThan(1);
    expect(Math.abs(seconds - (row.durationSec ?? 0))).toBeLessThanOrEqual(1);
  });

  it('answers 404, not 5xx, for a blob row whose object is gone', async () => {
    const [a, b] = cluster.servers;
    const callSid = `CA${'e'.repeat(32)}`;
    const recordingSid = `LC${'e'.repeat(32)}`;
    await a!.store.startCall({ callSid, at: new Date() });
    await a!.store.upsertRecording({
      recordingSid,
      callSid,
      url: `blob:calls/${callSid}/call-gone.wav`,
      durationSec: 1,
      status: 'completed',
      source: 'call-audio',
      at: new Date(),
    });
    const onB = new ApiClient(b!.origin);
    await onB.login('admin', ADMIN_PASSWORD);
    const res = await onB.get(`/api/v1/recordings/${recordingSid}/audio`);
    expect(res).toMatchObject({ status: 404, body: { error: 'RECORDING_FILE_MISSING' } });
  });
});
