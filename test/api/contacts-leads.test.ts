// /api/v1/contacts and /api/v1/leads over HTTP: lists with filters and cursors, details with
// their history, edits (including the lead pipeline) and a 400 naming the field for bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCall } from '../support/crm-fixtures.js';
import { phone } from '../store/contract/ids.js';
import { api, as, startCrmTestServer, type CrmTestServer } from './crm-app.js';

type Page<T> = { items: T[]; nextCursor: string | null };
type Contact = {
  id: number;
  phone: string;
  name: string | null;
  notes: string | null;
  tags: string[];
  callCount: number;
};
type Lead = {
  id: number;
  callSid: string;
  status: string;
  assignee: string | null;
  notes: string | null;
  fields: object;
};

describe('the contacts and leads API', () => {
  let s: CrmTestServer;
  beforeAll(async () => {
    s = await startCrmTestServer();
  });
  afterAll(async () => s.stop());

  const patch = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    api(s, path, { method: 'PATCH', body, headers });

  it('edits a contact’s name, notes and tags and shows its calls and leads', async () => {
    const number = phone();
    const first = await makeCall(s.store, { from: number, startMs: 0, lead: { need: 'buy' } });
    const second = await makeCall(s.store, { from: number, startMs: 5000 });
    const id = (await s.store.getContactByPhone(number))!.id;

    const edited = await patch(`/contacts/${id}`, {
      name: '  אבי לוי ',
      tags: ['vip', 'vip', 'חיפה'],
      notes: 'prefers mornings',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id,
      name: 'אבי לוי',
      tags: ['vip', 'חיפה'],
      notes: 'prefers mornings',
      callCount: 2,
    });
    expect((await patch(`/contacts/${id}`, { notes: null })).body).toMatchObject({
      notes: null,
      name: 'אבי לוי',
    });

    const detail = await api<{ contact: Contact; calls: { callSid: string }[]; leads: Lead[] }>(
      s,
      `/contacts/${id}`,
    );
    expect(detail.body.contact).toMatchObject({ phone: number, name: 'אבי לוי' });
    expect(detail.body.calls.map((c) => c.callSid)).toEqual([second.callSid, first.callSid]);
    expect(detail.body.leads).toEqual([
      expect.objectContaining({ callSid: first.callSid, fields: { need: 'buy' } }),
    ]);
    // An agent user linked to a directory agent sees only the calls that agent took.
    const scoped = await api<{ calls: unknown[] }>(s, `/contacts/${id}`, { headers: as('agent:nobody') });
    expect(scoped.body.calls).toEqual([]);

    const byTag = await api<Page<Contact>>(s, '/contacts?tag=חיפה');
    expect(byTag.body.items.map((c) => c.id)).toEqual([id]);
    const byName = await api<Page<Contact>>(s, `/contacts?q=${encodeURIComponent('לוי')}`);
    expect(byName.body.items.map((c) => c.id)).toEqual([id]);
    const local = `0${number.slice(4, 6)}-${number.slice(6)}`;
    expect((await api<Page<Contact>>(s, `/contacts?q=${local}`)).body.items.map((c) => c.id)).toEqual([id]);
  });

  it('pages contacts newest first with a cursor', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await s.store.upsertContact(phone(), new Date())).id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: Page<Contact> } = await api<Page<Contact>>(
        s,
        `/contacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.body.items.map((c) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses bad contact edits with 400 naming the field, and 404 for no such contact', async () => {
    const id = (await s.store.upsertContact(phone(), new Date())).id;
    const cases: [unknown, string][] = [
      [{ tags: 'vip' }, 'tags'],
      [{ tags: ['ok', ''] }, 'tags.1'],
      [{ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'tags'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ phone: '+972500000000' }, 'phone'],
      [{}, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await patch(`/contacts/${id}`, body);
      expect({ body, status: res.status, field: res.body.field }).toEqual({ body, status: 400, field });
    }
    expect((await patch(`/contacts/${id}`, '{"name":')).status).toBe(400);
    expect((await patch('/contacts/0', { name: 'x' })).body).toMatchObject({ field: 'id' });
    expect((await patch('/contacts/987654321', { name: 'x' })).status).toBe(404);
    expect((await api(s, '/contacts/987654321')).status).toBe(404);
    expect((await api(s, '/contacts?limit=1000')).body).toMatchObject({ field: 'limit' });
  });

  it('moves a lead through new → contacted → qualified → won, with assignee and notes', async () => {
    const c = await makeCall(s.store, { lead: { name: 'שירה', budget: 1_500_000 } });
    const leadId = (await s.store.getLeadForCall(c.callSid))!.id;
    const steps = ['contacted', 'qualified', 'won'];
    for (const status of steps) {
      const res = await patch(`/leads/${leadId}`, { status });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: leadId, status });
    }
    const assigned = await patch(`/leads/${leadId}`, { assignee: 'dana', notes: 'signed on Sunday' });
    expect(assigned.body).toMatchObject({ status: 'won', assignee: 'dana', notes: 'signed on Sunday' });
    expect(assigned.body).toMatchObject({
      fields: { name: 'שירה', budget: 1_500_000 },
      contact: { phone: c.from },
    });
    const detail = await api<{ lead: Lead; call: { callSid: string } }>(s, `/leads/${leadId}`);
    expect(detail.body.lead.status).toBe('won');
    expect(detail.body.call.callSid).toBe(c.callSid);
    expect((await api(s, `/leads/${leadId}`, { headers: as('agent:other') })).body).toMatchObject({
      call: null,
    });

    const won = await api<Page<Lead>>(s, '/leads?status=won&assignee=dana');
    expect(won.body.items.map((l) => l.id)).toEqual([leadId]);
    expect(
      (await api<Page<Lead>>(s, `/leads?q=${encodeURIComponent('שירה')}`)).body.items.map((l) => l.id),
    ).toEqual([leadId]);
  });

  it('refuses bad lead edits and queries with 400 naming the field', async () => {
    const c = await makeCall(s.store, { lead: { a: 1 } });
    const leadId = (await s.store.getLeadForCall(c.callSid))!.id;
    expect((await patch(`/leads/${leadId}`, { status: 'open' })).body).toMatchObject({
      error: 'BAD_REQUEST',
      field: 'status',
    });
    expect((await patch(`/leads/${leadId}`, { assignee: 'has spaces' })).body).toMatchObject({
      field: 'assignee',
    });
    expect((await patch(`/leads/${leadId}`, { fields: {} })).body).toMatchObject({ field: 'fields' });
    expect((await patch(`/leads/${leadId}`, {})).status).toBe(400);
    expect((await patch('/leads/123456789', { status: 'lost' })).status).toBe(404);
    expect((await api(s, '/leads?status=closed')).body).toMatchObject({ field: 'status' });
    expect((await api(s, '/leads?cursor=eyJ4IjoxfQ')).body).toMatchObject({ field: 'cursor' });
    // The lead is untouched by the refused edits.
    expect((await s.store.getCrmLead(leadId))!.status).toBe('new');
  });
});
