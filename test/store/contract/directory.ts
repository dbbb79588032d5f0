// Contract: the agent directory (replace from a file, edits, live status), agent legs (atomic
// reservations under concurrency, on one instance and across two, expiry, answers, loads) and
// sticky lookup by the caller's phone.
import { beforeAll, expect, it } from 'vitest';
import type { AgentDefinition, DirectorySnapshot } from '../../../src/store/directory-store.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import { storeMigrations } from '../../../src/store/migrations.js';
import { openDatabase } from '../../../src/store/open-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at, phone, sid } from './ids.js';

let n = 0;
/** A fresh agent id, so tests sharing a store never share an agent's lines. */
const agentId = () => `agent-${process.pid}-${++n}`;

function agentDef(id: string, extra: Partial<AgentDefinition> = {}): AgentDefinition {
  return {
    id,
    name: `Agent ${id}`,
    phone: '+972501234567',
    departments: ['sales'],
    languages: ['he'],
    skills: [],
    priority: 100,
    maxCalls: 1,
    hours: null,
    status: 'available',
    ...extra,
  };
}

const snapshot = (agents: AgentDefinition[]): DirectorySnapshot => ({
  timezone: 'Asia/Jerusalem',
  departments: [
    {
      id: 'sales',
      strategy: 'sequential',
      ringSeconds: 20,
      hours: { 'sun-thu': '09:00-18:00' },
      closed: ['2026-09-22'],
      afterHoursPrompt: 'סגור',
      noAnswerPrompt: null,
    },
    {
      id: 'support',
      strategy: 'round-robin',
      ringSeconds: 15,
      hours: null,
      closed: [],
      afterHoursPrompt: null,
      noAnswerPrompt: null,
    },
  ],
  agents,
});

export function directoryContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeAll(async () => {
    store = await target.open();
  });

  const reserve = (s: KyselyStore, id: string, callSid: string, maxCalls = 1, ms = 0, holdMs = 60_000) =>
    s.reserveAgent({ agentId: id, callSid, maxCalls, at: at(ms), holdMs });

  it('starts with no directory, then holds exactly the snapshot, in order', async () => {
    const fresh = await target.open();
    expect(await fresh.getDirectory()).toEqual({
      source: null,
      timezone: 'Asia/Jerusalem',
      syncedAt: null,
      departments: [],
      agents: [],
    });
    const agents = [agentDef('zed', { hours: { fri: ['09:00-10:00', '22:00-02:00'] } }), agentDef('amy')];
    const changes = await fresh.replaceDirectory(snapshot(agents), 'file', at(0));
    expect(changes).toEqual({ added: ['zed', 'amy'], changed: [], removed: [] });
    const dir = await fresh.getDirectory();
    expect(dir).toMatchObject({ source: 'file', timezone: 'Asia/Jerusalem', syncedAt: at(0) });
    expect(dir.departments).toEqual(snapshot([]).departments);
    expect(dir.agents).toEqual(agents.map((a) => ({ ...a, liveStatus: 'available', statusSetAt: null })));
  });

  it('syncs idempotently: only changed, added and removed agents are reported', async () => {
    const fresh = await target.open();
    const a = agentDef('a');
    const b = agentDef('b');
    await fresh.replaceDirectory(snapshot([a, b]), 'file', at(0));
    expect(await fresh.replaceDirectory(snapshot([a, b]), 'file', at(1))).toEqual({
      added: [],
      changed: [],
      removed: [],
    });
    const changes = await fresh.replaceDirectory(
      { ...snapshot([agentDef('c'), { ...b, priority: 1 }]), timezone: 'Europe/London' },
      'file',
      at(2),
    );
    expect(changes).toEqual({ added: ['c'], changed: ['b'], removed: ['a'] });
    const dir = await fresh.getDirectory();
    expect(dir.timezone).toBe('Europe/London');
    expect(dir.agents.map((x) => [x.id, x.priority])).toEqual([
      ['c', 100],
      ['b', 1],
    ]);
    // Reordering alone is kept (the first department is the default) without reporting a change.
    const reordered = snapshot([agentDef('c'), { ...b, priority: 1 }]);
    reordered.departments.reverse();
    expect(await fresh.replaceDirectory(reordered, 'file', at(3))).toEqual({
      added: [],
      changed: [],
      removed: [],
    });
    expect((await fresh.getDirectory()).departments.map((d) => d.id)).toEqual(['support', 'sales']);
  });

  it('keeps a live status until the file changes that agent', async () => {
    const fresh = await target.open();
    const dana = agentDef('dana');
    const avi = agentDef('avi');
    await fresh.replaceDirectory(snapshot([dana, avi]), 'file', at(0));
    expect(await fresh.setAgentStatus('dana', 'away', at(5))).toBe(true);
    expect(await fresh.setAgentStatus('avi', 'offline', at(5))).toBe(true);
    expect(await fresh.setAgentStatus('nobody', 'away', at(5))).toBe(false);
    const live = async () => (await fresh.getDirectory()).agents.map((a) => [a.id, a.status, a.liveStatus]);
    expect(await live()).toEqual([
      ['dana', 'available', 'away'],
      ['avi', 'available', 'offline'],
    ]);
    expect((await fresh.getDirectory()).agents[0]?.statusSetAt).toEqual(at(5));
    await fresh.replaceDirectory(snapshot([dana, avi]), 'file', at(10));
    expect(await live()).toEqual([
      ['dana', 'available', 'away'],
      ['avi', 'available', 'offline'],
    ]);
    await fresh.replaceDirectory(snapshot([{ ...dana, phone: '+972509999999' }, avi]), 'file', at(20));
    expect(await live()).toEqual([
      ['dana', 'available', 'available'],
      ['avi', 'available', 'offline'],
    ]);
  });

  it('edits a store-managed directory one department and agent at a time', async () => {
    const fresh = await target.open();
    await fresh.setDirectoryMeta({ timezone: 'Europe/Paris' }, at(0));
    expect(await fresh.getDirectory()).toMatchObject({ source: 'store', timezone: 'Europe/Paris' });
    const [sales, support] = snapshot([]).departments as [
      DirectorySnapshot['departments'][0],
      DirectorySnapshot['departments'][0],
    ];
    await fresh.upsertDepartment(sales, at(1));
    await fresh.upsertDepartment(support, at(1));
    await fresh.upsertDepartment({ ...sales, ringSeconds: 30 }, at(2));
    await fresh.upsertAgent(agentDef('x'), at(1));
    await fresh.upsertAgent(agentDef('y'), at(1));
    await fresh.setAgentStatus('x', 'away', at(2));
    await fresh.setAgentStatus('y', 'away', at(2));
    await fresh.upsertAgent(agentDef('x'), at(3)); // unchanged: the live status stays
    await fresh.upsertAgent(agentDef('y', { skills: ['mortgages'] }), at(3)); // changed: it goes
    const dir = await fresh.getDirectory();
    expect(dir.departments.map((d) => [d.id, d.ringSeconds])).toEqual([
      ['sales', 30],
      ['support', 15],
    ]);
    expect(dir.agents.map((a) => [a.id, a.liveStatus, a.skills])).toEqual([
      ['x', 'away', []],
      ['y', 'available', ['mortgages']],
    ]);
    expect(await fresh.deleteAgent('x')).toBe(true);
    expect(await fresh.deleteAgent('x')).toBe(false);
    expect(await fresh.deleteDepartment('support')).toBe(true);
    expect((await fresh.getDirectory()).agents.map((a) => a.id)).toEqual(['y']);
    expect((await fresh.getDirectory()).departments.map((d) => d.id)).toEqual(['sales']);
    await fresh.setDirectoryMeta({ source: 'file' }, at(4));
    expect(await fresh.getDirectory()).toMatchObject({ source: 'file', timezone: 'Europe/Paris' });
  });

  it('gives a single-line agent to exactly one of two concurrent calls', async () => {
    for (let round = 0; round < 10; round++) {
      const id = agentId();
      const results = await Promise.all([reserve(store, id, sid()), reserve(store, id, sid())]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('gives a single-line agent to exactly one call when two instances race', async () => {
    const opts = await target.freshOptions();
    const a = await target.reopen(opts);
    const b = await target.reopen(opts);
    for (let round = 0; round < 10; round++) {
      const id = agentId();
      const results = await Promise.all([reserve(a, id, sid()), reserve(b, id, sid())]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('counts an agent’s live calls alike on every instance: maxCalls holds across two', async () => {
    const opts = await target.freshOptions();
    const [a, b] = [await target.reopen(opts), await target.reopen(opts)];
    const id = agentId();
    const calls = [sid(), sid(), sid(), sid()];
    const won = await Promise.all(calls.map((c, n) => reserve(n % 2 ? b : a, id, c, 2)));
    expect(won.filter(Boolean)).toHaveLength(2);
    const live = async (s: KyselyStore) =>
      (await s.agentLoads({ answeredSince: at(0), at: at(1) })).get(id)?.live;
    expect([await live(a), await live(b)]).toEqual([2, 2]);
    // A line one instance frees is free for the other at once.
    const winner = calls[won.indexOf(true)]!;
    expect(await b.releaseAgent(winner, { agentId: id, outcome: 'completed', at: at(2) })).toBe(1);
    expect([await live(a), await live(b)]).toEqual([1, 1]);
    expect(await reserve(a, id, sid(), 2, 3)).toBe(true);
    expect(await reserve(b, id, sid(), 2, 3)).toBe(false);
  });

  it('holds at most maxCalls lines at once; a call holding the agent asks again for free', async () => {
    const id = agentId();
    const results = await Promise.all(Array.from({ length: 5 }, () => reserve(store, id, sid(), 2)));
    expect(results.filter(Boolean)).toHaveLength(2);
    const again = agentId();
    const callSid = sid();
    expect(await Promise.all([reserve(store, again, callSid), reserve(store, again, callSid)])).toEqual([
      true,
      true,
    ]);
    expect(await store.listAgentLegs(callSid)).toHaveLength(1);
    expect((await store.agentLoads({ answeredSince: at(0), at: at(0) })).get(again)?.live).toBe(1);
  });

  it('frees a line when the leg is released, and a forgotten one when its hold runs out', async () => {
    const id = agentId();
    const first = sid();
    expect(await reserve(store, id, first)).toBe(true);
    expect(await reserve(store, id, sid())).toBe(false);
    expect(await store.releaseAgent(first, { agentId: id, outcome: 'no-answer', at: at(10) })).toBe(1);
    expect(await store.releaseAgent(first, { agentId: id, outcome: 'no-answer', at: at(11) })).toBe(0);
    const second = sid();
    expect(await reserve(store, id, second, 1, 20, 1000)).toBe(true);
    expect(await reserve(store, id, sid(), 1, 1019)).toBe(false);
    const third = sid();
    expect(await reserve(store, id, third, 1, 1020)).toBe(true);
    expect((await store.listAgentLegs(second))[0]).toMatchObject({ outcome: 'expired', endedAt: at(1020) });
    expect((await store.listAgentLegs(first))[0]).toMatchObject({
      agentId: id,
      callSid: first,
      reservedAt: at(0),
      answeredAt: null,
      endedAt: at(10),
      outcome: 'no-answer',
    });
  });

  it('releases every leg of a call at once (simultaneous ringing, the call ended)', async () => {
    const [x, y] = [agentId(), agentId()];
    const callSid = sid();
    await reserve(store, x, callSid);
    await reserve(store, y, callSid);
    expect(await store.releaseAgent(callSid, { outcome: 'canceled', at: at(5) })).toBe(2);
    expect(await reserve(store, x, sid())).toBe(true);
    expect(await reserve(store, y, sid())).toBe(true);
  });

  it('records the answer: the call’s agent, a line held past the ring, and today’s counts', async () => {
    const id = agentId();
    const callSid = sid();
    await store.startCall({ callSid, at: at(0) });
    expect(await store.getCallAgent(callSid)).toBeUndefined();
    expect(await reserve(store, id, callSid, 1, 0, 1000)).toBe(true);
    expect(await store.markAgentAnswered(callSid, id, at(500))).toBe(true);
    expect(await store.getCallAgent(callSid)).toBe(id);
    // Answered: the short ring hold no longer frees the line.
    expect(await reserve(store, id, sid(), 1, 5000)).toBe(false);
    const loads = await store.agentLoads({ answeredSince: at(0), at: at(5000) });
    expect(loads.get(id)).toEqual({ live: 1, lastOfferedAt: at(0), answered: 1 });
    expect((await store.agentLoads({ answeredSince: at(501), at: at(5000) })).get(id)?.answered).toBe(0);
    await store.releaseAgent(callSid, { outcome: 'completed', at: at(9000) });
    expect((await store.agentLoads({ answeredSince: at(0), at: at(9000) })).get(id)).toEqual({
      live: 0,
      lastOfferedAt: at(0), // the refused claim at 5000 was no offer
      answered: 1,
    });
    expect((await store.listAgentLegs(callSid))[0]).toMatchObject({
      answeredAt: at(500),
      outcome: 'completed',
    });
  });

  it('finds the agent a caller last talked with, within the window', async () => {
    const caller = phone();
    const [older, newer, untaken] = [sid(), sid(), sid()];
    await store.startCall({ callSid: older, fromNumber: caller, at: at(0) });
    await store.startCall({ callSid: newer, fromNumber: caller, at: at(60_000) });
    await store.startCall({ callSid: untaken, fromNumber: caller, at: at(120_000) });
    await store.markAgentAnswered(older, 'first-agent', at(1000));
    await store.markAgentAnswered(newer, 'second-agent', at(61_000));
    expect(await store.lastAgentForPhone(caller, at(0))).toBe('second-agent');
    expect(await store.lastAgentForPhone(caller, at(60_001))).toBeUndefined();
    expect(await store.lastAgentForPhone(phone(), at(0))).toBeUndefined();
  });

  it('refuses nonsense line counts', async () => {
    await expect(reserve(store, agentId(), sid(), 0)).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(reserve(store, '', sid())).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('completes 0002_directory after a crash before Kysely recorded it', async () => {
    const opts = await target.freshOptions();
    const { db, dialect } = await openDatabase(opts);
    try {
      await storeMigrations(dialect)['0001_initial']!.up(db);
      await storeMigrations(dialect)['0002_directory']!.up(db);
    } finally {
      await db.destroy();
    }
    const reopened = await target.reopen(opts);
    const callSid = sid();
    await reopened.startCall({ callSid, at: at(0) });
    await reopened.markAgentAnswered(callSid, 'dana', at(1));
    expect(await reopened.getCallAgent(callSid)).toBe('dana');
  });
}
