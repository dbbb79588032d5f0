// GET /api/v1/calls.csv and /leads.csv as a spreadsheet reads them: BOM, header, RFC 4180
// quoting that survives commas, quotes and newlines, Hebrew intact, formula cells defused, times
// in TIMEZONE, the list's filters and the agent scope applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCall } from '../support/crm-fixtures.js';
import { as, startCrmTestServer, type CrmTestServer } from './crm-app.js';

/** A strict RFC 4180 reader: fails on anything a spreadsheet would misread. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else if (ch === '"' || ch === '\n' || ch === '\r') {
      throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) throw new Error('last row is not terminated by CRLF');
  return rows;
}

async function csv(s: CrmTestServer, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.api}${path}`, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    res,
    bytes,
    rows: res.status === 200 ? parseCsv(bytes.toString('utf8').replace(/^\uFEFF/, '')) : [],
  };
}

describe('CSV exports', () => {
  let s: CrmTestServer;
  beforeAll(async () => {
    s = await startCrmTestServer({ TIMEZONE: 'Asia/Jerusalem' });
  });
  afterAll(async () => s.stop());

  it('exports calls with a BOM, quoted cells, Hebrew intact and formulas defused', async () => {
    const tricky = 'לקוח אמר: "תתקשרו מחר", בבוקר\nשורה שנייה';
    const c = await makeCall(s.store, {
      startedAt: new Date('2026-12-01T21:30:00Z'),
      summary: tricky,
      result: 'voicemail',
      agentId: 'csv',
    });
    const formula = await makeCall(s.store, {
      startedAt: new Date('2026-12-01T10:00:00Z'),
      summary: '=HYPERLINK("http://x","y")',
      agentId: 'csv',
    });
    const contactId = (await s.store.getContactByPhone(c.from))!.id;
    await s.store.patchContact(contactId, { name: 'דנה כהן' });

    const { res, bytes, rows } = await csv(s, '/calls.csv?agent=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="calls-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...data] = rows;
    expect(header).toEqual([
      'Call SID',
      'Started',
      'Ended',
      'Direction',
      'From',
      'To',
      'Status',
      'Outcome',
      'Outcome detail',
      'Duration (s)',
      'Contact',
      'Agent',
      'Test',
      'Lead status',
      'Summary',
    ]);
    expect(data.map((r) => r[0])).toEqual([c.callSid, formula.callSid]);
    const row = Object.fromEntries(header!.map((h, i) => [h, data[0]![i]]));
    expect(row).toMatchObject({
      Started: '2026-12-01 23:30:00', // Jerusalem, not UTC
      Ended: '2026-12-01 23:31:00',
      Outcome: 'voicemail',
      Contact: 'דנה כהן',
      Summary: tricky,
      Test: 'no',
      // A number starting with + would be a formula to Excel: it is kept as text.
      From: `'${c.from}`,
    });
    expect(data[1]![14]).toBe(`'=HYPERLINK("http://x","y")`);
  });

  it('applies the list filters and the agent scope; refuses bad filters like the list does', async () => {
    const mine = await makeCall(s.store, { agentId: 'exp-a', result: 'transferred' });
    await makeCall(s.store, { agentId: 'exp-b', result: 'transferred' });
    const ids = async (query: string, headers: Record<string, string> = {}) =>
      (await csv(s, `/calls.csv?${query}`, headers)).rows.slice(1).map((r) => r[0]);
    expect(await ids('agent=exp-a&outcome=transferred')).toEqual([mine.callSid]);
    expect(await ids('outcome=transferred', as('agent:exp-a'))).toEqual([mine.callSid]);
    const bad = await fetch(`${s.api}/calls.csv?outcome=nope`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'outcome' });
    expect((await fetch(`${s.api}/calls.csv?limit=5`)).status).toBe(400);
  });

  it('streams every page of a long export', async () => {
    for (let i = 0; i < 230; i++)
      await makeCall(s.store, { startMs: i, agentId: 'bulk', result: 'abandoned' });
    const { rows } = await csv(s, '/calls.csv?agent=bulk');
    expect(rows).toHaveLength(231);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(230);
  });

  it('exports leads with one column per lead field, Hebrew intact', async () => {
    const a = await makeCall(s.store, { lead: { name: 'שירה', need: 'דירה, 4 חדרים' } });
    const b = await makeCall(s.store, { lead: { name: 'Omer', budget: 900000, area: { city: 'חיפה' } } });
    const leadA = (await s.store.getLeadForCall(a.callSid))!;
    await s.store.patchLead(leadA.id, { status: 'contacted', notes: '@home after 6' }, new Date());
    const { res, rows } = await csv(s, '/leads.csv');
    expect(res.headers.get('content-disposition')).toMatch(/filename="leads-/);
    const [header, ...data] = rows;
    // Newest lead first, so its fields come first; a field appears once.
    expect(header).toEqual([
      'Lead ID',
      'Created',
      'Updated',
      'Status',
      'Assignee',
      'Contact',
      'Phone',
      'Call SID',
      'Notes',
      'name',
      'budget',
      'area',
      'need',
    ]);
    const byCall = new Map(data.map((r) => [r[7], Object.fromEntries(header!.map((h, i) => [h, r[i]]))]));
    expect(byCall.get(a.callSid)).toMatchObject({
      Status: 'contacted',
      Notes: `'@home after 6`,
      name: 'שירה',
      need: 'דירה, 4 חדרים',
      budget: '',
    });
    expect(byCall.get(b.callSid)).toMatchObject({
      Status: 'new',
      name: 'Omer',
      budget: '900000',
      area: '{"city":"חיפה"}',
    });
    expect((await csv(s, '/leads.csv?status=contacted')).rows.slice(1).map((r) => r[7])).toEqual([a.callSid]);
  });
});
