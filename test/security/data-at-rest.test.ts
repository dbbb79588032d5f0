// Data at rest (issue 15): DATA_DIR is created 0700 (an existing looser one is warned about and
// left), the SQLite files are 0600, and every recording (call audio, answer clips) is 0600 in
// directories made 0700.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/audio/tts.js';
import { TwilioEmulator } from '../../src/emulator/index.js';
import { SQLITE_FILE_NAME } from '../../src/store/open-store.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, startTestServer } from '../support/server.js';
import { echoAgents, until } from './stream-client.js';

const roots: string[] = [];
const freshRoot = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-rest-'));
  roots.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});
const mode = (file: string) => statSync(file).mode & 0o777;

describe('files at rest', () => {
  it('creates DATA_DIR 0700, the database 0600, and records a call 0600', async () => {
    const dataDir = path.join(freshRoot(), 'nested', 'data');
    const s = await startTestServer({ DATA_DIR: dataDir, RECORD_CALLS: 'true' }, { agents: echoAgents() });
    const emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 5,
    });
    try {
      expect(mode(dataDir)).toBe(0o700);
      const db = path.join(dataDir, SQLITE_FILE_NAME);
      for (const file of [db, `${db}-wal`, `${db}-shm`])
        if (existsSync(file)) expect(mode(file), file).toBe(0o600);

      const call = emulator.placeCall({
        webhookUrl: `${s.origin}/webhook/incoming_call`,
        from: '+972521112233',
      });
      await call.waitFor('start-sent');
      await until(() => s.logs.find('WS_START').some((l) => l.callSid === call.callSid));
      await call.hangUp();
      await until(() => s.logs.find('CALL_AUDIO_SAVED').some((l) => l.callSid === call.callSid), 5000);
      const callDir = path.join(dataDir, 'calls', call.callSid);
      expect(mode(path.join(dataDir, 'calls'))).toBe(0o700);
      expect(mode(callDir)).toBe(0o700);
      const wavs = readdirSync(callDir);
      expect(wavs).toHaveLength(1);
      expect(mode(path.join(callDir, wavs[0]!))).toBe(0o600);
    } finally {
      await emulator.close();
      await s.stop();
    }
  });

  it('warns about an existing DATA_DIR others can read, and tightens a loose database', async () => {
    const dataDir = freshRoot();
    chmodSync(dataDir, 0o755);
    const db = path.join(dataDir, SQLITE_FILE_NAME);
    writeFileSync(db, '', { mode: 0o644 });
    chmodSync(db, 0o644);
    const s = await startTestServer({ DATA_DIR: dataDir });
    try {
      expect(s.logs.find(/^DATA_DIR_PERMISSIONS/)).toMatchObject([{ mode: '755' }]);
      expect(mode(dataDir)).toBe(0o755);
      expect(mode(db)).toBe(0o600);
    } finally {
      await s.stop();
    }
  });

  it('writes answer clips (and prompts) 0600 in a directory made 0700', async () => {
    const file = path.join(freshRoot(), 'calls', `CA${'1'.repeat(32)}`, 'name-LC1.wav');
    await writeAtomically(file, new Uint8Array([1, 2, 3]));
    expect(mode(file)).toBe(0o600);
    expect(mode(path.dirname(file))).toBe(0o700);
  });
});
