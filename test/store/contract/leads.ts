// Contract: one lead per call, merged field by field on later saves.
import { beforeAll, expect, it } from 'vitest';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at, phone, sid } from './ids.js';

export function leadsContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeAll(async () => {
    store = await target.open();
  });

  it('creates a new lead and merges a second save into it, later values winning', async () => {
    const callSid = sid();
    const contact = await store.upsertContact(phone(), at(0));
    const first = await store.saveLead({
      callSid,
      contactId: contact.id,
      fields: { name: 'דנה', need: 'rent', budget: 5000, clips: ['a.wav'] },
      at: at(1000),
    });
    expect(first).toMatchObject({
      callSid,
      contactId: contact.id,
      status: 'new',
      createdAt: at(1000),
      updatedAt: at(1000),
    });
    const second = await store.saveLead({
      callSid,
      contactId: null,
      fields: { budget: 6500, area: { city: 'Haifa', radiusKm: 5 } },
      at: at(2000),
    });
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ contactId: contact.id, createdAt: at(1000), updatedAt: at(2000) });
    expect(second.fields).toEqual({
      name: 'דנה',
      need: 'rent',
      budget: 6500,
      clips: ['a.wav'],
      area: { city: 'Haifa', radiusKm: 5 },
    });
    expect(await store.getLeadForCall(callSid)).toEqual(second);
    expect(await store.getLeadForCall(sid())).toBeUndefined();
  });

  it('10 concurrent saves for one call keep one lead holding every field', async () => {
    const callSid = sid();
    const saves = Array.from({ length: 10 }, (_, i) =>
      store.saveLead({ callSid, contactId: null, fields: { [`q${i}`]: i }, at: at(i) }),
    );
    const results = await Promise.all(saves);
    expect(new Set(results.map((l) => l.id)).size).toBe(1);
    const lead = await store.getLeadForCall(callSid);
    expect(lead?.fields).toEqual(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`q${i}`, i])));
  });

  it('lists a contact’s leads newest first', async () => {
    const contact = await store.upsertContact(phone(), at(0));
    const older = await store.saveLead({
      callSid: sid(),
      contactId: contact.id,
      fields: { n: 1 },
      at: at(1000),
    });
    const newer = await store.saveLead({
      callSid: sid(),
      contactId: contact.id,
      fields: { n: 2 },
      at: at(2000),
    });
    expect((await store.listLeadsForContact(contact.id)).map((l) => l.id)).toEqual([newer.id, older.id]);
    expect(await store.listLeadsForContact(123456789)).toEqual([]);
  });

  it('rejects fields that are not an object', async () => {
    await expect(
      store.saveLead({
        callSid: sid(),
        contactId: null,
        fields: [1, 2] as unknown as Record<string, unknown>,
        at: at(0),
      }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });
}
