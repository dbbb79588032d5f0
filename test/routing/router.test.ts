// The router over a real (in-memory SQLite) store and the example directory: eligibility in order,
// every 'none' reason with its prompt, person by name, sticky, strategies, claims and whyNot.
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readDirectoryFile } from '../../src/routing/directory-file.js';
import { toSnapshot } from '../../src/routing/directory-schema.js';
import { DEFAULT_NO_ANSWER_PROMPT, DirectoryRouter } from '../../src/routing/directory-router.js';
import type { RouteRequest, RouteResult } from '../../src/routing/router.js';
import type { DirectorySnapshot } from '../../src/store/directory-store.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openStore } from '../../src/store/open-store.js';
import { phone, sid } from '../store/contract/ids.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'agents.yaml');
const SALES_CLOSED = 'המשרד סגור כעת. השאירו הודעה ונחזור אליכם.';
const SALES_NO_ANSWER = 'כל הנציגים עסוקים. השאירו הודעה ונחזור אליכם.';
// 2026-09-20 is a Sunday; Israel is on +03:00.
const SUNDAY_11 = '2026-09-20T11:00:00+03:00';

const stores: KyselyStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

let store: KyselyStore;
let now: Date;
let router: DirectoryRouter;
let example: DirectorySnapshot;

async function fresh(snapshot?: DirectorySnapshot): Promise<void> {
  store = await openStore({ dataDir: '/tmp', sqliteMemory: true });
  stores.push(store);
  example ??= toSnapshot(await readDirectoryFile(FIXTURE));
  await store.replaceDirectory(snapshot ?? example, 'file', new Date(0));
  router = new DirectoryRouter({ store, now: () => now });
}

const at = (iso: string) => (now = new Date(iso));
const route = (r: Partial<RouteRequest> = {}) => router.route({ callSid: sid(), from: null, ...r });
const groups = (r: RouteResult) => (r.kind === 'ring' ? r.groups.map((g) => g.map((c) => c.agentId)) : r);

beforeEach(async () => {
  await fresh();
  at(SUNDAY_11);
});

describe('routing to a department', () => {
  it('rings sales in priority order with the department’s settings', async () => {
    expect(await route({ department: 'sales' })).toEqual({
      kind: 'ring',
      department: 'sales',
      strategy: 'sequential',
      ringSeconds: 20,
      groups: [
        [{ agentId: 'dana', name: 'דנה כהן', phone: '+972501234567' }],
        [{ agentId: 'avi', name: 'Avi Levi', phone: 'sip:avi@pbx.example.com' }],
      ],
      sticky: false,
      noAnswerPrompt: SALES_NO_ANSWER,
    });
  });

  it('takes the first department when none is asked for, and matches ids without regard to case', async () => {
    expect(groups(await route())).toEqual([['dana'], ['avi']]);
    expect(groups(await route({ department: ' Sales ' }))).toEqual([['dana'], ['avi']]);
  });

  it('leaves out an agent outside their own hours inside the department’s', async () => {
    at('2026-09-20T09:30:00+03:00'); // sales opens at 09:00, Dana at 10:00
    expect(groups(await route({ department: 'sales' }))).toEqual([['avi']]);
    at('2026-09-18T11:00:00+03:00'); // Friday: sales is open, Dana's hours are sun-thu
    expect(groups(await route({ department: 'sales' }))).toEqual([['avi']]);
  });

  it('is after hours outside the department’s hours, with its after-hours prompt', async () => {
    at('2026-09-19T11:00:00+03:00'); // Saturday
    expect(await route({ department: 'sales' })).toEqual({
      kind: 'none',
      reason: 'after-hours',
      department: 'sales',
      prompt: SALES_CLOSED,
      detail: 'sales is closed now (hours sun-thu 09:00-18:00, fri 09:00-13:00)',
    });
  });

  it('is a holiday on a closed date', async () => {
    at('2026-09-22T11:00:00+03:00');
    expect(await route({ department: 'sales' })).toMatchObject({
      kind: 'none',
      reason: 'holiday',
      prompt: SALES_CLOSED,
      detail: 'sales is closed today (holiday 2026-09-22)',
    });
  });

  it('is after hours when every agent is outside their own hours', async () => {
    await fresh({
      ...example,
      agents: example.agents.map((a) => (a.id === 'avi' ? { ...a, hours: { 'sun-thu': '12:00-18:00' } } : a)),
    });
    at('2026-09-20T09:30:00+03:00');
    expect(await route({ department: 'sales' })).toMatchObject({
      kind: 'none',
      reason: 'after-hours',
      prompt: SALES_CLOSED,
      detail:
        'dana: outside their hours (sun-thu 10:00-16:00); avi: outside their hours (sun-thu 12:00-18:00)',
    });
    // One of them in hours but offline: that is nobody available, not after hours.
    at('2026-09-20T12:30:00+03:00');
    await store.setAgentStatus('avi', 'offline', now);
    await store.setAgentStatus('dana', 'away', now);
    expect(await route({ department: 'sales' })).toMatchObject({ reason: 'nobody-available' });
  });

  it('skips agents who are away or offline; nobody available when none is', async () => {
    await store.setAgentStatus('dana', 'away', now);
    expect(groups(await route({ department: 'sales' }))).toEqual([['avi']]);
    await store.setAgentStatus('avi', 'offline', now);
    expect(await route({ department: 'sales' })).toEqual({
      kind: 'none',
      reason: 'nobody-available',
      department: 'sales',
      prompt: SALES_NO_ANSWER,
      detail: 'dana: away; avi: offline',
    });
  });

  it('skips agents whose lines are all taken; all busy when every one is', async () => {
    expect(await router.claim(sid(), [{ agentId: 'dana', name: 'd', phone: 'p' }], 20)).toHaveLength(1);
    expect(groups(await route({ department: 'sales' }))).toEqual([['avi']]);
    await router.claim(sid(), [{ agentId: 'avi', name: 'a', phone: 'p' }], 20);
    expect(await route({ department: 'sales' })).toMatchObject({
      kind: 'none',
      reason: 'all-busy',
      detail: 'dana: busy (1 of 1 calls); avi: busy (1 of 1 calls)',
    });
  });

  it('filters by skill and language when asked', async () => {
    expect(groups(await route({ department: 'sales', skill: 'Mortgages' }))).toEqual([['dana']]);
    expect(groups(await route({ department: 'sales', language: 'ru' }))).toEqual([['avi']]);
    expect(await route({ department: 'sales', skill: 'leasing' })).toMatchObject({
      kind: 'none',
      reason: 'nobody-available',
      detail: 'dana: no skill "leasing"; avi: no skill "leasing"',
    });
  });

  it('refuses a department that does not exist, with the default prompt', async () => {
    expect(await route({ department: 'billing' })).toEqual({
      kind: 'none',
      reason: 'unknown-department',
      prompt: DEFAULT_NO_ANSWER_PROMPT,
      detail: 'no department "billing" (known: sales, support)',
    });
  });

  it('answers nobody when the directory is empty (nothing configured)', async () => {
    const empty = await openStore({ dataDir: '/tmp', sqliteMemory: true });
    stores.push(empty);
    expect(
      await new DirectoryRouter({ store: empty }).route({ callSid: sid(), from: null, department: 'sales' }),
    ).toEqual({
      kind: 'none',
      reason: 'nobody-available',
      prompt: DEFAULT_NO_ANSWER_PROMPT,
      detail: 'the directory has no agents',
    });
  });
});

describe('routing to a person', () => {
  it('finds a person by name (Hebrew, any case and spacing) or by id', async () => {
    expect(await route({ person: '  דנה   כהן ' })).toMatchObject({
      kind: 'ring',
      department: 'sales',
      groups: [[{ agentId: 'dana', phone: '+972501234567' }]],
    });
    expect(await route({ person: 'AVI levi', department: 'support' })).toMatchObject({
      department: 'support',
      groups: [[{ agentId: 'avi' }]],
    });
    expect(groups(await route({ person: 'noa' }))).toEqual([['noa']]);
  });

  it('never dials a number the caller or the model made up, even an agent’s own', async () => {
    for (const person of ['+972501234567', '0501234567', 'Dana Levi']) {
      expect(await route({ person })).toMatchObject({ kind: 'none', reason: 'unknown-person' });
    }
  });

  it('says why the person cannot take the call', async () => {
    at('2026-09-20T17:00:00+03:00'); // sales open, Dana's hours over
    expect(await route({ person: 'dana' })).toMatchObject({
      kind: 'none',
      reason: 'after-hours',
      department: 'sales',
      detail: 'dana: outside their hours (sun-thu 10:00-16:00)',
    });
    at('2026-09-19T11:00:00+03:00'); // Saturday: Avi's sales is closed, support is open
    expect(await route({ person: 'avi' })).toMatchObject({ kind: 'ring', department: 'support' });
    expect(await route({ person: 'dana' })).toMatchObject({ kind: 'none', reason: 'after-hours' });
  });
});

describe('sticky routing', () => {
  async function pastCall(caller: string, agentId: string, daysAgo: number): Promise<void> {
    const callSid = sid();
    await store.startCall({
      callSid,
      fromNumber: caller,
      at: new Date(now.getTime() - daysAgo * 86_400_000),
    });
    await store.markAgentAnswered(callSid, agentId, now);
  }

  it('rings the agent who last talked with the caller first, within 30 days', async () => {
    const caller = phone();
    await pastCall(caller, 'avi', 10);
    const result = await route({ department: 'sales', from: caller });
    expect(groups(result)).toEqual([['avi'], ['dana']]);
    expect(result).toMatchObject({ sticky: true });
    const stranger = await route({ department: 'sales', from: phone() });
    expect(stranger).toMatchObject({ sticky: false });
  });

  it('forgets after 30 days, and passes over a sticky agent who is not eligible', async () => {
    const old = phone();
    await pastCall(old, 'avi', 31);
    expect(groups(await route({ department: 'sales', from: old }))).toEqual([['dana'], ['avi']]);
    const recent = phone();
    await pastCall(recent, 'avi', 1);
    await store.setAgentStatus('avi', 'away', now);
    expect(await route({ department: 'sales', from: recent })).toMatchObject({ sticky: false });
  });
});

describe('strategies over the store', () => {
  it('round-robin offers the least recently offered agent first', async () => {
    expect(groups(await route({ department: 'support' }))).toEqual([['avi'], ['noa']]);
    const first = sid();
    await router.claim(first, [{ agentId: 'avi', name: 'Avi Levi', phone: 'x' }], 20);
    await router.release(first, 'no-answer', 'avi');
    expect(groups(await route({ department: 'support' }))).toEqual([['noa'], ['avi']]);
    now = new Date(now.getTime() + 1000);
    const second = sid();
    await router.claim(second, [{ agentId: 'noa', name: 'Noa', phone: 'x' }], 20);
    await router.release(second, 'no-answer');
    expect(groups(await route({ department: 'support' }))).toEqual([['avi'], ['noa']]);
  });

  it('fewest-calls counts calls answered today in the directory’s timezone', async () => {
    await fresh({
      ...example,
      departments: example.departments.map((d) =>
        d.id === 'support' ? { ...d, strategy: 'fewest-calls' } : d,
      ),
    });
    // Yesterday evening (local) Noa answered two; today Avi answered one.
    for (const [agentId, iso] of [
      ['noa', '2026-09-19T23:30:00+03:00'],
      ['noa', '2026-09-19T23:40:00+03:00'],
      ['avi', '2026-09-20T00:10:00+03:00'],
    ] as const) {
      const callSid = sid();
      now = new Date(iso);
      await router.claim(callSid, [{ agentId, name: agentId, phone: 'x' }], 20);
      await router.answered(callSid, agentId);
      await router.release(callSid, 'completed');
    }
    at(SUNDAY_11);
    expect(groups(await route({ department: 'support' }))).toEqual([['noa'], ['avi']]);
  });

  it('simultaneous rings everyone eligible in one group', async () => {
    await fresh({
      ...example,
      departments: example.departments.map((d) =>
        d.id === 'sales' ? { ...d, strategy: 'simultaneous' } : d,
      ),
    });
    expect(await route({ department: 'sales' })).toMatchObject({
      strategy: 'simultaneous',
      groups: [[{ agentId: 'dana' }, { agentId: 'avi' }]],
    });
  });
});

describe('claims, answers and why not', () => {
  it('claims a line per candidate, leaving out one taken or gone away meanwhile', async () => {
    const group = [
      { agentId: 'dana', name: 'דנה כהן', phone: '+972501234567' },
      { agentId: 'avi', name: 'Avi Levi', phone: 'sip:avi@pbx.example.com' },
      { agentId: 'noa', name: 'Noa', phone: 'client:noa' },
    ];
    await router.claim(sid(), [group[0]!], 20);
    await store.setAgentStatus('noa', 'away', now);
    expect((await router.claim(sid(), group, 20)).map((c) => c.agentId)).toEqual(['avi']);
  });

  it('gives a single-line agent to one of two calls claiming at once', async () => {
    const dana = [{ agentId: 'dana', name: 'd', phone: 'p' }];
    const claims = await Promise.all([router.claim(sid(), dana, 20), router.claim(sid(), dana, 20)]);
    expect(claims.map((c) => c.length).sort()).toEqual([0, 1]);
  });

  it('records who took the call', async () => {
    const callSid = sid();
    await store.startCall({ callSid, at: now });
    await router.claim(callSid, [{ agentId: 'avi', name: 'a', phone: 'p' }], 20);
    await router.answered(callSid, 'avi');
    expect(await store.getCallAgent(callSid)).toBe('avi');
    expect(await router.release(callSid, 'completed')).toBe(1);
  });

  it('explains, per agent, why they cannot take a call now', async () => {
    at('2026-09-19T11:00:00+03:00'); // Saturday: sales closed, support open
    await store.setAgentStatus('noa', 'away', now);
    const { agents, localTime } = await router.explain();
    expect(localTime).toEqual({ date: '2026-09-19', weekday: 6, minute: 660 });
    expect(agents.map((a) => [a.agent.id, a.whyNot])).toEqual([
      ['dana', 'sales is closed now (hours sun-thu 09:00-18:00, fri 09:00-13:00)'],
      ['avi', null],
      ['noa', 'away'],
    ]);
    expect(await router.whyNot('dana')).toContain('closed');
    expect(await router.whyNot('nobody')).toBeUndefined();
  });
});
