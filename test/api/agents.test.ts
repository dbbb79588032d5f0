// /api/v1/agents and /api/v1/departments over HTTP: the directory as the Agents page edits it —
// validation naming the field, the roles (agent users set only their own status), who can take a
// call now and why not, and a directory AGENTS_FILE manages being read-only but for live status.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, startCrmTestServer, type CrmTestServer } from './crm-app.js';

type AgentRow = { id: string; name: string; status: string; eligibleNow: boolean; whyNot: string | null };
type Directory = {
  source: string | null;
  readOnly: boolean;
  departments: { id: string; now: string }[];
  agents: AgentRow[];
};
type ErrorBody = { error: string; message: string; field?: string };

const dana = { id: 'dana', name: 'דנה כהן', phone: '+972501112233', departments: ['sales'] };

describe('the agents API on a store-managed directory', () => {
  let s: CrmTestServer;
  beforeAll(async () => {
    s = await startCrmTestServer();
  });
  afterAll(async () => s.stop());
  const send = (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
    api<ErrorBody & Directory & { agent: AgentRow }>(s, p, {
      method,
      ...(body === undefined ? {} : { body }),
      headers,
    });

  it('needs a session or key', async () => {
    const res = await globalThis.fetch(`${s.api}/agents`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
  });

  it('starts empty, then builds a department and an agent who can take a call', async () => {
    const empty = await send('GET', '/agents');
    expect(empty.body).toMatchObject({ source: null, readOnly: false, agents: [], departments: [] });

    const noDept = await send('POST', '/agents', dana);
    expect(noDept.status).toBe(400);
    expect(noDept.body).toMatchObject({ error: 'BAD_REQUEST', field: 'departments' });
    expect(noDept.body.message).toContain('create one first');

    const dept = await send('PUT', '/departments/sales', {
      strategy: 'round-robin',
      hours: { always: true },
    });
    expect(dept.status).toBe(200);
    const created = await send('POST', '/agents', dana);
    expect(created.status).toBe(201);
    expect(created.body.agent).toMatchObject({
      id: 'dana',
      status: 'available',
      eligibleNow: true,
      whyNot: null,
    });

    const dir = await send('GET', '/agents');
    expect(dir.body.source).toBe('store');
    expect(dir.body.departments).toEqual([expect.objectContaining({ id: 'sales', now: 'open' })]);
    expect(dir.body.agents.map((a) => a.id)).toEqual(['dana']);
    expect((await send('GET', '/agents/dana')).body.agent.name).toBe('דנה כהן');
  });

  it('refuses bad input naming the field, and duplicates', async () => {
    const cases: [unknown, string][] = [
      [{ ...dana, id: 'Dana!' }, 'id'],
      [{ ...dana, id: 'x1', phone: '050-1112233' }, 'phone'],
      [{ ...dana, id: 'x2', maxCalls: 0 }, 'maxCalls'],
      [{ ...dana, id: 'x3', nickname: 'd' }, 'nickname'],
    ];
    for (const [body, field] of cases) {
      const res = await send('POST', '/agents', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field).toBe(field);
    }
    expect((await send('POST', '/agents', dana)).status).toBe(409);
    const sameName = await send('POST', '/agents', { ...dana, id: 'dana2', name: ' דנה  כהן' });
    expect(sameName).toMatchObject({ status: 409, body: { field: 'name' } });
    expect((await send('GET', '/agents/nobody')).status).toBe(404);
  });

  it('changes an agent with the same rules as a new one', async () => {
    const renamed = await send('PATCH', '/agents/dana', { name: 'Dana Cohen', maxCalls: 2 });
    expect(renamed.status).toBe(200);
    expect(renamed.body.agent).toMatchObject({ name: 'Dana Cohen' });
    expect((await send('PATCH', '/agents/dana', { maxCalls: 1000 })).body.field).toBe('maxCalls');
    expect((await send('PATCH', '/agents/dana', { id: 'other' })).body.field).toBe('id');
    expect((await send('PATCH', '/agents/dana', {})).status).toBe(400);
    expect((await send('PATCH', '/agents/ghost', { name: 'x' })).status).toBe(404);
  });

  it('sets live status: admins anyone’s, agent users only their own', async () => {
    const away = await send('PATCH', '/agents/dana/status', { status: 'away' });
    expect(away.status).toBe(200);
    expect(away.body.agent).toMatchObject({ status: 'away', eligibleNow: false });
    expect(away.body.agent.whyNot).toMatch(/away/);

    const own = await send('PATCH', '/agents/dana/status', { status: 'available' }, as('agent:dana'));
    expect(own.status).toBe(200);
    expect(own.body.agent.eligibleNow).toBe(true);
    const other = await send('PATCH', '/agents/dana/status', { status: 'offline' }, as('agent:noa'));
    expect(other.status).toBe(403);
    expect((await send('PATCH', '/agents/dana/status', { status: 'busy' })).body.field).toBe('status');
    expect((await send('POST', '/agents', { ...dana, id: 'z' }, as('agent:dana'))).status).toBe(403);
    // Agent users still read the directory (who can take a call now).
    expect((await send('GET', '/agents', undefined, as('agent:dana'))).status).toBe(200);
  });

  it('removes a department only once it is empty, and agents', async () => {
    const busy = await send('DELETE', '/departments/sales');
    expect(busy.status).toBe(409);
    expect(busy.body.message).toContain('dana');
    expect((await send('DELETE', '/agents/dana')).status).toBe(204);
    expect((await send('DELETE', '/agents/dana')).status).toBe(404);
    expect((await send('DELETE', '/departments/sales')).status).toBe(204);
    expect((await send('GET', '/agents')).body).toMatchObject({ agents: [], departments: [] });
  });
});

describe('the agents API when AGENTS_FILE manages the directory', () => {
  let s: CrmTestServer;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'agents-file-'));
    const file = path.join(dir, 'agents.yaml');
    writeFileSync(
      file,
      [
        'departments:',
        '  sales: { hours: { always: true } }',
        'agents:',
        '  - { id: noa, name: Noa, phone: "+972502223344", departments: [sales] }',
      ].join('\n'),
    );
    s = await startCrmTestServer({ AGENTS_FILE: file });
  });
  afterAll(async () => s.stop());

  it('is read-only but for live status', async () => {
    const dir = await api<Directory>(s, '/agents');
    expect(dir.body).toMatchObject({ source: 'file', readOnly: true });
    for (const [method, p, body] of [
      ['POST', '/agents', dana],
      ['PATCH', '/agents/noa', { name: 'Noa B' }],
      ['DELETE', '/agents/noa', undefined],
      ['PUT', '/departments/support', {}],
    ] as const) {
      const res = await api<ErrorBody>(s, p, { method, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${p}`).toBe(409);
      expect(res.body.message).toContain('AGENTS_FILE');
    }
    const status = await api<{ agent: AgentRow }>(s, '/agents/noa/status', {
      method: 'PATCH',
      body: { status: 'offline' },
    });
    expect(status.status).toBe(200);
    expect(status.body.agent).toMatchObject({ status: 'offline', eligibleNow: false });
  });
});
