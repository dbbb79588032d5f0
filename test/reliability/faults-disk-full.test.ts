// The disk fills while a call is recorded (issue 15, part 2): DATA_DIR/calls is a tiny tmpfs,
// nearly full, so the recording hits a real ENOSPC mid-call. The call goes on (the prompt is
// heard, the caller leaves a voicemail, the call completes) and the recording is listed with
// status `incomplete`, not silently missing. Needs root to mount the tmpfs; skipped otherwise.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  freePort,
  startTestServer,
  type TestServer,
} from '../support/server.js';
import { until } from '../support/until.js';
import { voicemailFlowFile } from './server-process.js';

const PUBLIC = 'agents.example.com';
const url = (p: string) => `https://${PUBLIC}${p}`;

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(tmpdir(), 'agentlocator-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const MOUNTABLE = canMount();

describe.skipIf(!MOUNTABLE)('disk full while recording (needs root to mount a tmpfs)', () => {
  let s: TestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;
  let dataDir: string;
  let calls: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'agentlocator-diskfull-'));
    calls = path.join(dataDir, 'calls');
    mkdirSync(calls, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', calls]);
    // Leave room for the WAV header and a little audio, not for the first 2 s flush (32 KB).
    writeFileSync(path.join(calls, 'filler'), Buffer.alloc(256 * 1024 - 24 * 1024));
    const port = await freePort();
    emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 4,
      networkMap: { [`https://${PUBLIC}`]: `http://127.0.0.1:${port}` },
    });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    s = await startTestServer({
      PORT: String(port),
      PUBLIC_HOST: PUBLIC,
      DATA_DIR: dataDir,
      FLOW_FILE: voicemailFlowFile(),
      TWILIO_API_BASE_URL: rest.url,
    });
  });
  afterAll(async () => {
    await emulator?.close();
    await rest?.close();
    await s?.stop();
    if (calls) execFileSync('umount', [calls], { stdio: 'ignore' });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the call going and lists the recording as incomplete', async () => {
    const call = emulator.placeCall({
      webhookUrl: url('/webhook/incoming_call'),
      statusCallbackUrl: url('/webhook/call_status'),
      statusCallbackEvents: ['answered', 'completed'],
      caller: { record: { durationSec: 1, end: 'hangup' } },
    });
    const result = await call.done;
    expect(result.violations.filter((v) => v.severity === 'error')).toEqual([]);
    expect(result.status).toBe('completed');
    expect(result.streams[0]!.mediaReceived).toBeGreaterThan(0);
    expect(result.recordings).toHaveLength(1); // the voicemail, at Twilio
    const recordings = await until(
      () => s.store.listRecordings(call.callSid).then((r) => r.find((x) => x.source === 'call-audio')),
      'the call-audio recording listed',
    );
    expect(recordings).toMatchObject({ status: 'incomplete' });
    const line = s.logs.find(/^CALL_AUDIO_INCOMPLETE/).at(-1);
    expect(line).toMatchObject({ callSid: call.callSid });
    expect(JSON.stringify(line)).toMatch(/ENOSPC/); // a real full disk, not some other failure
  }, 30_000);
});
