// Contract: the CRM's reads and edits: filtered, keyset-paged calls (stable while calls arrive),
// contacts and leads with their edits, and the per-day stats.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { CallCursor, CallFilter } from '../../../src/store/crm-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { crmOutboxContract } from './crm-outbox.js';
import { makeCall } from '../../support/crm-fixtures.js';
import { at, phone, sid } from './ids.js';

async function allPages(store: KyselyStore, filter: CallFilter, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let after: CallCursor | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await store.listCrmCalls(filter, { limit, ...(after ? { after } : {}) });
    seen.push(...page.items.map((c) => c.callSid));
    if (!page.next) return seen;
    after = page.next;
  }
  throw new Error('did not reach the last page');
}

export function crmContract(target: StoreTarget): void {
  describe('reads and edits', () => crmReadsContract(target));
  describe('webhook outbox', () => crmOutboxContract(target));
}

function crmReadsContract(target: StoreTarget): void {
  let store: KyselyStore;
  // Lists are global: every test gets an empty database, closed after it (PostgreSQL
  // connections are shared with every other suite running at the same time).
  beforeEach(async () => {
    store = await target.open();
  });
  afterEach(() => store.close());

  describe('calls', () => {
    it('pages newest first, ties on the start time broken by CallSid, each call once', async () => {
      const made = [];
      for (let i = 0; i < 11; i++) made.push(await makeCall(store, { startMs: Math.floor(i / 3) * 1000 }));
      const expected = [...made]
        .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.callSid < b.callSid ? 1 : -1))
        .map((c) => c.callSid);
      expect(await allPages(store, {}, 4)).toEqual(expected);
      const first = await store.listCrmCalls({}, { limit: 11 });
      expect(first.next).toBeNull();
    });

    it('never repeats or skips a call while new calls arrive between pages', async () => {
      const before = [];
      for (let i = 0; i < 25; i++) before.push((await makeCall(store, { startMs: i * 10 })).callSid);
      const seen: string[] = [];
      let after: CallCursor | undefined;
      let inserted = 0;
      for (;;) {
        const page = await store.listCrmCalls({}, { limit: 6, ...(after ? { after } : {}) });
        seen.push(...page.items.map((c) => c.callSid));
        // Calls land while the next page is fetched: newer ones, and ones tying the cursor's time.
        const landing = [makeCall(store, { startMs: 10_000 + inserted })];
        if (page.next)
          landing.push(makeCall(store, { startMs: page.next.startedAt.getTime() - at(0).getTime() }));
        inserted += landing.length;
        await Promise.all(landing);
        if (!page.next) break;
        after = page.next;
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const callSid of before) expect(seen).toContain(callSid);
    });

    it('filters by time, status, result, agent, contact, direction and test', async () => {
      const answered = await makeCall(store, { startMs: 0, result: 'answered', agentId: 'dana' });
      const voicemail = await makeCall(store, { startMs: 1000, result: 'voicemail' });
      const transferred = await makeCall(store, {
        startMs: 2000,
        result: 'transferred',
        direction: 'outbound-api',
      });
      const abandoned = await makeCall(store, { startMs: 3000, result: 'abandoned', from: answered.from });
      const live = await makeCall(store, { startMs: 4000, result: 'live', test: true });
      const ids = async (f: CallFilter) => (await store.listCrmCalls(f, {})).items.map((c) => c.callSid);

      expect(await ids({ from: at(1000), to: at(3000) })).toEqual([transferred.callSid, voicemail.callSid]);
      expect(await ids({ status: 'canceled' })).toEqual([abandoned.callSid]);
      expect(await ids({ result: 'voicemail' })).toEqual([voicemail.callSid]);
      expect(await ids({ result: 'transferred' })).toEqual([transferred.callSid]);
      expect(await ids({ result: 'answered' })).toEqual([answered.callSid]);
      expect(await ids({ result: 'abandoned' })).toEqual([abandoned.callSid]);
      expect(await ids({ result: 'live' })).toEqual([live.callSid]);
      expect(await ids({ agentId: 'dana' })).toEqual([answered.callSid]);
      const contact = await store.getContactByPhone(answered.from);
      expect(await ids({ contactId: contact!.id })).toEqual([abandoned.callSid, answered.callSid]);
      expect(await ids({ direction: 'outbound' })).toEqual([transferred.callSid]);
      expect(await ids({ direction: 'inbound', test: false })).toEqual([
        abandoned.callSid,
        voicemail.callSid,
        answered.callSid,
      ]);
      expect(await ids({ test: true })).toEqual([live.callSid]);
      expect((await store.getCrmCall(live.callSid))?.isTest).toBe(true);
    });

    it('finds calls by transcript, summary, lead fields, contact name and number in either format', async () => {
      const byTranscript = await makeCall(store, { transcript: 'אני מחפש דירה בחיפה' });
      const bySummary = await makeCall(store, { summary: 'Caller wants a MORTGAGE quote' });
      const byLead = await makeCall(store, { lead: { name: 'רונית', need: '100% financing' } });
      const byNumber = await makeCall(store, { from: '+972541112233' });
      const named = await makeCall(store, {});
      const contact = await store.getContactByPhone(named.from);
      await store.patchContact(contact!.id, { name: 'Avi Levi' });
      const ids = async (text: string) =>
        (await store.listCrmCalls({ text }, {})).items.map((c) => c.callSid);

      expect(await ids('דירה')).toEqual([byTranscript.callSid]);
      expect(await ids('mortgage')).toEqual([bySummary.callSid]);
      expect(await ids('רונית')).toEqual([byLead.callSid]);
      expect(await ids('avi lev')).toEqual([named.callSid]);
      expect(await ids('054-111-2233')).toEqual([byNumber.callSid]);
      expect(await ids('+972 54 111 2233')).toEqual([byNumber.callSid]);
      expect(await ids('0541112233')).toEqual([byNumber.callSid]);
      // LIKE's wildcards are literal: "100%" matches the lead, "%" alone matches only that one.
      expect(await ids('100%')).toEqual([byLead.callSid]);
      expect(await ids('%')).toEqual([byLead.callSid]);
      expect(await ids('_')).toEqual([]);
    });

    it('reads one call with its contact, lead and result; streams and recordings by id', async () => {
      const c = await makeCall(store, { result: 'voicemail', lead: { need: 'rent' }, agentId: 'avi' });
      const call = await store.getCrmCall(c.callSid);
      const lead = await store.getLeadForCall(c.callSid);
      expect(call).toMatchObject({
        callSid: c.callSid,
        result: 'voicemail',
        isTest: false,
        agentId: 'avi',
        contactName: null,
        leadId: lead!.id,
        leadStatus: 'new',
      });
      const streams = await store.listStreams(c.callSid);
      expect(streams).toHaveLength(1);
      expect(streams[0]).toMatchObject({ callSid: c.callSid, closeCode: 1000 });
      const [recording] = await store.listRecordings(c.callSid);
      expect(await store.getRecording(recording!.recordingSid)).toEqual(recording);
      expect(await store.getRecording(sid('RE'))).toBeUndefined();
      expect(await store.getCrmCall(sid())).toBeUndefined();
      // The agent who answered last is the call's (a transfer that moved on to another agent).
      await store.markAgentAnswered(c.callSid, 'dana', new Date());
      expect((await store.getCrmCall(c.callSid))?.agentId).toBe('dana');
    });
  });

  describe('contacts', () => {
    it('edits name, notes and tags field by field, and counts the contact’s calls', async () => {
      const number = phone();
      await makeCall(store, { from: number, startMs: 0 });
      await makeCall(store, { from: number, startMs: 5000 });
      const contact = (await store.getContactByPhone(number))!;
      expect(await store.getCrmContact(contact.id)).toMatchObject({
        phone: number,
        name: null,
        notes: null,
        tags: [],
        callCount: 2,
        lastCallAt: at(5000),
      });
      await store.patchContact(contact.id, { name: 'דנה כהן', tags: ['vip', 'נדל"ן'] });
      const patched = await store.patchContact(contact.id, { notes: 'calls after 6pm' });
      expect(patched).toMatchObject({ name: 'דנה כהן', notes: 'calls after 6pm', tags: ['vip', 'נדל"ן'] });
      expect(await store.patchContact(contact.id, { name: null })).toMatchObject({
        name: null,
        notes: 'calls after 6pm',
      });
      expect(await store.patchContact(999_999, { name: 'x' })).toBeUndefined();
    });

    it('lists newest first with paging, by text (name, notes, number) and by tag', async () => {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await store.upsertContact(phone(), at(i))).id);
      await store.patchContact(ids[1]!, { name: 'Moshe', tags: ['vip'] });
      await store.patchContact(ids[3]!, { notes: 'wants moshav land', tags: ['vipper', 'lead'] });
      const first = await store.listContacts({}, { limit: 3 });
      expect(first.items.map((c) => c.id)).toEqual([ids[4], ids[3], ids[2]]);
      const second = await store.listContacts({}, { limit: 3, after: first.next! });
      expect(second.items.map((c) => c.id)).toEqual([ids[1], ids[0]]);
      expect(second.next).toBeNull();
      expect((await store.listContacts({ text: 'MOSH' }, {})).items.map((c) => c.id)).toEqual([
        ids[3],
        ids[1],
      ]);
      expect((await store.listContacts({ tag: 'vip' }, {})).items.map((c) => c.id)).toEqual([ids[1]]);
      const local = `0${(await store.getCrmContact(ids[2]!))!.phone.slice(4)}`;
      expect((await store.listContacts({ text: local }, {})).items.map((c) => c.id)).toEqual([ids[2]]);
    });
  });

  describe('leads', () => {
    it('lists leads with their contact, filtered and paged newest first', async () => {
      const a = await makeCall(store, { startMs: 0, lead: { name: 'Yael', need: 'sell' } });
      const b = await makeCall(store, { startMs: 1000, lead: { name: 'Omer', need: 'buy' } });
      const c = await makeCall(store, { startMs: 2000, lead: { name: 'Noa', need: 'rent' } });
      const [la, lb, lc] = await Promise.all([a, b, c].map((x) => store.getLeadForCall(x.callSid)));
      await store.patchLead(lb!.id, { status: 'qualified', assignee: 'dana' }, at(5000));
      const page = await store.listLeads({}, { limit: 2 });
      expect(page.items.map((l) => l.id)).toEqual([lc!.id, lb!.id]);
      expect(page.items[0]).toMatchObject({ contactPhone: c.from, contactName: null, status: 'new' });
      const rest = await store.listLeads({}, { limit: 2, after: page.next! });
      expect(rest.items.map((l) => l.id)).toEqual([la!.id]);
      const ids = async (f: Parameters<KyselyStore['listLeads']>[0]) =>
        (await store.listLeads(f, {})).items.map((l) => l.id);
      expect(await ids({ status: 'qualified' })).toEqual([lb!.id]);
      expect(await ids({ assignee: 'dana' })).toEqual([lb!.id]);
      expect(await ids({ text: 'yael' })).toEqual([la!.id]);
      expect(await ids({ from: at(60_500), to: at(61_500) })).toEqual([lb!.id]);
    });

    it('moves a lead through the pipeline without losing fields a concurrent save merges', async () => {
      const c = await makeCall(store, { lead: { name: 'Gil' } });
      const lead = (await store.getLeadForCall(c.callSid))!;
      const [patched] = await Promise.all([
        store.patchLead(lead.id, { status: 'contacted', notes: 'left a message' }, at(10_000)),
        store.saveLead({ callSid: c.callSid, contactId: null, fields: { budget: 2 }, at: at(10_001) }),
      ]);
      expect(patched?.status).toBe('contacted');
      const after = (await store.getCrmLead(lead.id))!;
      expect(after).toMatchObject({
        status: 'contacted',
        notes: 'left a message',
        fields: { name: 'Gil', budget: 2 },
      });
      expect(await store.patchLead(lead.id, { assignee: null, status: 'won' }, at(20_000))).toMatchObject({
        status: 'won',
        assignee: null,
        updatedAt: at(20_000),
      });
      expect(await store.patchLead(999_999, { status: 'lost' }, at(0))).toBeUndefined();
    });
  });

  describe('stats', () => {
    it('counts each local day by result, with leads, the median and stream errors; test calls left out', async () => {
      const day = 86_400_000;
      const base = at(0).getTime();
      const dayOf = (ms: number, offset: number) => Math.floor((ms + offset) / day);
      await makeCall(store, { startMs: 0, result: 'answered', durationSec: 30, lead: { a: 1 } });
      await makeCall(store, { startMs: 1000, result: 'voicemail', durationSec: 10 });
      await makeCall(store, { startMs: day, result: 'transferred', durationSec: 100 });
      await makeCall(store, { startMs: day + 1000, result: 'abandoned' });
      await makeCall(store, { startMs: day + 2000, result: 'answered', durationSec: 999, test: true });
      const errored = await makeCall(store, { startMs: day + 3000, result: 'live' });
      for (const code of [31920, 31920, 31921]) {
        await store.addCallEvent({
          callSid: errored.callSid,
          kind: 'stream-error',
          name: 'stream-error',
          twilioCode: code,
          at: at(day + 3000),
        });
      }
      // Two offsets: the second day is counted at +3 h, as after a DST change.
      const split = base + day - 5000;
      const stats = await store.callStats({
        from: at(-day),
        to: at(3 * day),
        segments: [
          { from: at(-day), to: new Date(split), offsetMs: 2 * 3_600_000 },
          { from: new Date(split), to: at(3 * day), offsetMs: 3 * 3_600_000 },
        ],
      });
      expect(stats.days).toEqual([
        {
          day: dayOf(base, 7_200_000),
          calls: 2,
          live: 0,
          answered: 1,
          transferred: 0,
          voicemail: 1,
          abandoned: 0,
          leads: 1,
        },
        {
          day: dayOf(base + day, 10_800_000),
          calls: 3,
          live: 1,
          answered: 0,
          transferred: 1,
          voicemail: 0,
          abandoned: 1,
          leads: 0,
        },
      ]);
      expect(stats.medianDurationSec).toBe(30);
      expect(stats.streamErrors).toEqual([
        { code: 31920, count: 2 },
        { code: 31921, count: 1 },
      ]);
      await makeCall(store, { startMs: 5000, result: 'answered', durationSec: 40 });
      const even = await store.callStats({ from: at(-day), to: at(3 * day), segments: [] });
      expect(even.medianDurationSec).toBe(35);
      expect(even.days).toEqual([]);
    });
  });
}
