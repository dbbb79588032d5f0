// The AGENTS_FILE contract: the example parses with its defaults; every mistake is named by
// entry and field; agents must name departments that exist; ids and names are unique.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDirectoryText, readDirectoryFile } from '../../src/routing/directory-file.js';
import { DirectoryError, normaliseName, toSnapshot } from '../../src/routing/directory-schema.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'agents.yaml');

function problems(text: string, file = 'agents.yaml'): string[] {
  try {
    parseDirectoryText(text, file);
  } catch (err) {
    if (err instanceof DirectoryError) return err.problems;
    throw err;
  }
  throw new Error('expected the directory to be refused');
}

const agent = (extra: string) =>
  `{ id: dana, name: Dana, phone: "+972501234567", departments: [sales]${extra} }`;

describe('the directory file', () => {
  it('reads the issue’s example with its defaults, in the file’s order', async () => {
    const snapshot = toSnapshot(await readDirectoryFile(FIXTURE));
    expect(snapshot.timezone).toBe('Asia/Jerusalem');
    expect(snapshot.departments.map((d) => d.id)).toEqual(['sales', 'support']);
    expect(snapshot.departments[0]).toMatchObject({
      strategy: 'sequential',
      ringSeconds: 20,
      hours: { 'sun-thu': '09:00-18:00', fri: '09:00-13:00' },
      closed: ['2026-09-22'],
      afterHoursPrompt: 'המשרד סגור כעת. השאירו הודעה ונחזור אליכם.',
    });
    expect(snapshot.departments[1]).toEqual({
      id: 'support',
      strategy: 'round-robin',
      ringSeconds: 20,
      hours: { always: true },
      closed: [],
      afterHoursPrompt: null,
      noAnswerPrompt: null,
    });
    expect(snapshot.agents.map((a) => a.id)).toEqual(['dana', 'avi', 'noa']);
    expect(snapshot.agents[0]).toEqual({
      id: 'dana',
      name: 'דנה כהן',
      phone: '+972501234567',
      departments: ['sales'],
      languages: ['he', 'en'],
      skills: ['mortgages'],
      priority: 1,
      maxCalls: 1,
      hours: { 'sun-thu': '10:00-16:00' },
      status: 'available',
    });
    expect(snapshot.agents[2]).toMatchObject({
      priority: 100,
      maxCalls: 1,
      hours: null,
      status: 'available',
      skills: [],
    });
  });

  it('takes JSON too, and an empty file as an empty directory', () => {
    const json = JSON.stringify({
      departments: { sales: {} },
      agents: [{ id: 'a', name: 'A', phone: 'client:a', departments: ['sales'] }],
    });
    expect(parseDirectoryText(json, 'agents.json').agents).toHaveLength(1);
    expect(parseDirectoryText('', 'agents.yaml')).toEqual({
      timezone: 'Asia/Jerusalem',
      departments: {},
      agents: [],
    });
  });

  it('names the entry and the field of a bad phone', () => {
    expect(
      problems(
        `departments: { sales: {} }\nagents:\n  - ${agent('').replace('dana', 'avi').replace('Dana', 'Avi')}\n  - ${agent('').replace('"+972501234567"', '"050-1234567"')}`,
      ),
    ).toEqual(['agents[1] (id "dana").phone: must be E.164, sip:… or client:…']);
  });

  it('accepts E.164, sip: and client: phones only', () => {
    const ok = (phone: string) =>
      parseDirectoryText(
        `departments: { sales: {} }\nagents: [${agent('').replace('"+972501234567"', JSON.stringify(phone))}]`,
        'a.yaml',
      );
    for (const phone of ['+972501234567', 'sip:dana@pbx.example.com', 'sips:1001@10.0.0.1', 'client:dana_k'])
      expect(() => ok(phone)).not.toThrow();
    for (const phone of ['972501234567', '+0501234567', 'sip:nohost', 'client:', 'tel:+972501234567'])
      expect(() => ok(phone)).toThrow(DirectoryError);
  });

  it('reports every mistake at once, each with its place', () => {
    const text = [
      'timezone: Asia/Jerusalm',
      'departments:',
      '  sales: { strategy: rr, ringSecond: 3, closed: ["2026-02-30"], hours: { sun-thu: "9-18" } }',
      'agents:',
      '  - { id: Dana, name: D, phone: "+972501234567", departments: [sales], maxCalls: 0, status: busy }',
      '  - { id: avi }',
    ].join('\n');
    expect(problems(text)).toEqual([
      'timezone: is not an IANA timezone (like Asia/Jerusalem)',
      'departments.sales.strategy: must be sequential, round-robin, simultaneous or fewest-calls',
      'departments.sales.hours.sun-thu: "9-18" is not a range like "09:00-18:00"',
      'departments.sales.closed[0]: must be a date like 2026-09-22',
      'departments.sales: Unrecognized key: "ringSecond"',
      'agents[0] (id "Dana").id: must be 1–64 of a-z, 0-9 and -',
      'agents[0] (id "Dana").maxCalls: Too small: expected number to be >=1',
      'agents[0] (id "Dana").status: must be available, away or offline',
      'agents[1] (id "avi").name: is required',
      'agents[1] (id "avi").phone: is required',
      'agents[1] (id "avi").departments: is required',
    ]);
  });

  it('refuses agents in departments that do not exist, duplicate ids and duplicate names', () => {
    const text = [
      'departments: { sales: {}, support: {} }',
      'agents:',
      `  - ${agent('')}`,
      `  - ${agent(', departments: [sales, salse]').replace(', departments: [sales]', '')}`,
      `  - ${agent('').replace('dana', 'dana2').replace('Dana', '  dana ')}`,
    ].join('\n');
    expect(problems(text)).toEqual([
      'agents[1] (id "dana").id: duplicate of agents[0]',
      'agents[1] (id "dana").name: agents[0] has the same name; callers ask for people by name',
      'agents[1] (id "dana").departments[1]: no department "salse" (known: sales, support)',
      'agents[2] (id "dana2").name: agents[0] has the same name; callers ask for people by name',
    ]);
    expect(problems('departments: { Sales: {} }')).toEqual([
      'departments.Sales: the department id must be 1–64 of a-z, 0-9 and -',
    ]);
  });

  it('says what is wrong with the syntax', () => {
    expect(problems('agents: [', 'a.yaml')[0]).toMatch(/^not valid YAML: /);
    expect(problems('{"agents": [', 'a.json')[0]).toMatch(/^not valid JSON: /);
    expect(problems('sales: {}')).toEqual(['(top): Unrecognized key: "sales"']);
  });

  it('matches names without regard to case, spacing or Unicode form', () => {
    expect(normaliseName('  Avi   LEVI ')).toBe(normaliseName('avi levi'));
    expect(normaliseName(' דנה  כהן')).toBe('דנה כהן');
    expect(normaliseName('Cafe\u0301')).toBe(normaliseName('Café'));
  });
});
