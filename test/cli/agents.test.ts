// `agentlocator agents …` as a process: check (exit 0/1 with the problems), import into a
// store-managed directory, status (the live status routing uses), list (who can take a call now,
// and why not), and list with AGENTS_FILE synced first.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLE = path.join(ROOT, 'test/routing/fixtures/agents.yaml');

// Always open, so what `list` says does not depend on when the test runs.
const ALWAYS = `
departments:
  support: { strategy: round-robin, hours: { always: true } }
agents:
  - { id: noa, name: Noa, phone: "client:noa", departments: [support] }
  - { id: ben, name: Ben, phone: "+972501112233", departments: [support], maxCalls: 2 }
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function agentlocator(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'agents', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function workspace() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-agents-'));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  return { env: { DATA_DIR: path.join(dir, 'data') }, file };
}

// Each test spawns a few processes; on a loaded machine one can take several seconds.
describe('agentlocator agents', { timeout: 90_000 }, () => {
  it('check: exit 0 for a valid file, 1 with each problem named for an invalid one', async () => {
    const w = workspace();
    const ok = await agentlocator(['check', EXAMPLE], w.env);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toBe(`${EXAMPLE}: ok (2 departments, 3 agents, timezone Asia/Jerusalem)\n`);
    const bad = w.file(
      'bad.yaml',
      ALWAYS.replace('"+972501112233"', '"050-111-2233"').replace('[support] }', '[sales] }'),
    );
    const run = await agentlocator(['check', bad], w.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${bad}: invalid\n  agents[1] (id "ben").phone: must be E.164, sip:… or client:…\n`,
    );
    const missing = await agentlocator(['check', path.join(path.dirname(bad), 'nope.yaml')], w.env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('cannot read');
  });

  it('import, status and list: the store-managed directory and who can take a call now', async () => {
    const w = workspace();
    const imported = await agentlocator(['import', w.file('agents.yaml', ALWAYS)], w.env);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('1 department, 2 agents (added 2, changed 0, removed 0)');
    const away = await agentlocator(['status', 'noa', 'away'], w.env);
    expect(away).toMatchObject({ code: 0, stdout: 'noa is now away\n' });
    const list = await agentlocator(['list'], w.env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('Directory from the store; Asia/Jerusalem');
    expect(list.stdout).toContain('department support: round-robin, 20 s per ring, hours always: open');
    expect(list.stdout).toContain('noa (Noa) in support: away, 0/1 calls; not now: away');
    expect(list.stdout).toContain('ben (Ben) in support: available, 0/2 calls; can take a call now');
    expect(list.stdout).not.toContain('+972');
  });

  it('status: exit 1 for an unknown agent, 2 for a status that does not exist', async () => {
    const w = workspace();
    const unknown = await agentlocator(['status', 'dana', 'available'], w.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no agent "dana" in the directory');
    const bad = await agentlocator(['status', 'dana', 'busy'], w.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('status must be available, away, offline (got "busy")');
  });

  it('list --json with AGENTS_FILE syncs the file first; import refuses while it is set', async () => {
    const w = workspace();
    const env = { ...w.env, AGENTS_FILE: w.file('agents.yaml', ALWAYS) };
    const run = await agentlocator(['list', '--json'], env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const out = JSON.parse(run.stdout) as {
      source: string;
      agents: { id: string; eligibleNow: boolean; whyNot: null }[];
    };
    expect(out.source).toBe('file');
    expect(out.agents).toEqual([
      expect.objectContaining({ id: 'noa', eligibleNow: true, whyNot: null, status: 'available' }),
      expect.objectContaining({ id: 'ben', eligibleNow: true, maxCalls: 2 }),
    ]);
    const refused = await agentlocator(['import', EXAMPLE], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('AGENTS_FILE is set');
  });
});
