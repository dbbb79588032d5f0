// `agentlocator api-key` as a process: create prints the key once (stdout, nothing else there),
// the server on the same DATA_DIR accepts it as a bearer key, list shows it, revoke stops it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import { ApiClient } from '../api/support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'cli-api-key-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function agentlocator(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('agentlocator api-key', () => {
  // Each step is a tsx process start: slow on a loaded machine.
  it(
    'create → works as a bearer key; list shows it without the secret; revoke stops it',
    { timeout: 120_000 },
    async () => {
      const created = await agentlocator(['api-key', 'create', '--name', 'hubspot']);
      expect(created.code).toBe(0);
      const key = created.stdout.trim();
      expect(key).toMatch(/^al_[A-Za-z0-9_-]{43}$/);
      expect(created.stderr).toMatch(/API key 1 "hubspot" created/);
      expect(created.stderr).not.toContain(key);

      const server = await startTestServer({ DATA_DIR: dataDir, ADMIN_PASSWORD: 'cli-test-password' });
      try {
        const client = new ApiClient(server.origin);
        client.bearer = key;
        expect(await client.get('/api/v1/auth/session')).toMatchObject({
          status: 200,
          body: { apiKey: { id: 1, name: 'hubspot', createdBy: null } },
        });

        const listed = await agentlocator(['api-key', 'list']);
        expect(listed.code).toBe(0);
        expect(listed.stdout).toMatch(/^1\tal_\S{6}…\thubspot\t.*\tactive$/m);
        expect(listed.stdout).not.toContain(key);

        const revoked = await agentlocator(['api-key', 'revoke', '1']);
        expect(revoked).toMatchObject({ code: 0, stdout: 'API key 1 revoked\n' });
        expect((await client.get('/api/v1/auth/session')).status).toBe(401);
        expect((await agentlocator(['api-key', 'revoke', '99'])).code).toBe(1);
      } finally {
        await server.stop();
      }
    },
  );

  it('usage mistakes exit 2 and say what to type', { timeout: 60_000 }, async () => {
    const [noName, noAction, badId, unknown] = await Promise.all([
      agentlocator(['api-key', 'create']),
      agentlocator(['api-key']),
      agentlocator(['api-key', 'revoke', 'abc']),
      agentlocator(['api-key', 'rotate']),
    ]);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/--name NAME/);
    expect(noAction).toMatchObject({ code: 2, stderr: expect.stringMatching(/create, list or revoke/) });
    expect(badId).toMatchObject({ code: 2, stderr: expect.stringMatching(/one key id/) });
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown api-key action/) });
  });
});
