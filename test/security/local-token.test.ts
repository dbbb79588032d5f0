// The local token is a signing key (issue 15): an empty or short file is never used (read, race,
// CLI), a new one appears whole, loose permissions are tightened with a warning, startServer
// refuses a short key, and the REST client never sends the local token to Twilio.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_TOKEN_FILE, readLocalToken, readOrCreateLocalToken } from '../../src/local-token.js';
import { resolveCredentials } from '../../src/cli/credentials.js';
import { parseConfig } from '../../src/config.js';
import { startServer } from '../../src/serve.js';
import { TEST_ACCOUNT_SID, startTestServer } from '../support/server.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'agentlocator-token-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const onDisk = (dir: string) => readFileSync(path.join(dir, LOCAL_TOKEN_FILE), 'utf8').trim();

describe('the local token file', () => {
  it('is created whole, 0600, and read back the same on the next start', async () => {
    const dir = freshDir();
    const first = await readOrCreateLocalToken(dir);
    expect(first).toMatchObject({ created: true });
    expect(first.token).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(await readOrCreateLocalToken(dir)).toMatchObject({ token: first.token, created: false });
  });

  for (const [what, content] of [
    ['empty (a touch, a full disk)', ''],
    ['whitespace only', ' \n'],
    ['short (a write cut off)', 'abc123'],
  ] as const) {
    it(`is replaced when ${what}, never used as the key`, async () => {
      const dir = freshDir();
      writeFileSync(path.join(dir, LOCAL_TOKEN_FILE), content, { mode: 0o600 });
      const { token, created } = await readOrCreateLocalToken(dir);
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(created).toBe(true);
      expect(onDisk(dir)).toBe(token);
      expect(await readLocalToken(dir)).toBe(token);
    });
  }

  it('gives every one of many concurrent starters the same full token', async () => {
    for (let round = 0; round < 5; round++) {
      const dir = freshDir();
      const tokens = await Promise.all(Array.from({ length: 12 }, () => readOrCreateLocalToken(dir)));
      const distinct = new Set(tokens.map((t) => t.token));
      expect([...distinct].map((t) => t.length)).toEqual([48]);
      expect(tokens.filter((t) => t.created)).toHaveLength(1);
      expect(onDisk(dir)).toBe(tokens[0]?.token);
    }
  });

  it('is tightened to 0600 when others could read it, and says what it was', async () => {
    const dir = freshDir();
    const { token } = await readOrCreateLocalToken(dir);
    chmodSync(path.join(dir, LOCAL_TOKEN_FILE), 0o644);
    const again = await readOrCreateLocalToken(dir);
    expect(again).toMatchObject({ token, looseMode: 0o644 });
    expect(statSync(again.file).mode & 0o777).toBe(0o600);
  });

  it('is not taken by the CLI when short', async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, LOCAL_TOKEN_FILE), 'short\n');
    const config = { twilioAuthToken: undefined, twilioAccountSid: undefined, dataDir: dir };
    await expect(resolveCredentials({ config })).rejects.toThrow(/no Twilio auth token/);
  });
});

describe('startServer', () => {
  const quiet = pino({ level: 'silent' });

  it('signs with a full token when the token file was left empty', async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, LOCAL_TOKEN_FILE), '');
    const s = await startTestServer({ DATA_DIR: dir, TWILIO_AUTH_TOKEN: '' });
    try {
      expect(s.authToken.length).toBeGreaterThanOrEqual(32);
      expect(onDisk(dir)).toBe(s.authToken);
    } finally {
      await s.stop();
    }
  });

  it('refuses a short auth token', async () => {
    const config = {
      ...parseConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: freshDir() }),
      twilioAuthToken: 'short',
    };
    await expect(startServer(config, quiet)).rejects.toThrow(/shorter than 16 characters/);
  });

  it('warns when the token file was readable by others, and tightens it', async () => {
    const dir = freshDir();
    const { file } = await readOrCreateLocalToken(dir);
    chmodSync(file, 0o640);
    const s = await startTestServer({ DATA_DIR: dir, TWILIO_AUTH_TOKEN: '' });
    try {
      expect(s.logs.find(/^LOCAL_TOKEN_PERMISSIONS/)).toMatchObject([{ mode: '640', file }]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await s.stop();
    }
  });
});

describe('the Twilio REST client with a local token', () => {
  it('is not made for Twilio: TWILIO_ACCOUNT_SID without TWILIO_AUTH_TOKEN', async () => {
    for (const base of [{}, { TWILIO_API_BASE_URL: 'https://api.twilio.com' }] as Record<string, string>[]) {
      const s = await startTestServer({
        TWILIO_AUTH_TOKEN: '',
        TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
        ...base,
      });
      try {
        expect(s.built.deps.twilioCalls).toBeUndefined();
        expect(s.logs.find(/^TWILIO_REST_LOCAL_TOKEN/)).toHaveLength(1);
      } finally {
        await s.stop();
      }
    }
  });

  it('is made for a REST API on loopback (the emulator’s), and with Twilio’s own token', async () => {
    const envs: Record<string, string>[] = [
      { TWILIO_AUTH_TOKEN: '', TWILIO_API_BASE_URL: 'http://127.0.0.1:9' },
      { TWILIO_API_BASE_URL: 'https://api.twilio.com' },
    ];
    for (const env of envs) {
      const s = await startTestServer(env);
      try {
        expect(s.built.deps.twilioCalls).toBeDefined();
        expect(s.logs.find(/^TWILIO_REST_LOCAL_TOKEN/)).toHaveLength(0);
      } finally {
        await s.stop();
      }
    }
  });
});
