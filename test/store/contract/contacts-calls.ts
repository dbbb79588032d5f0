// Contract: contacts and call creation/listing, including duplicate and concurrent webhooks.
import { beforeAll, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at, phone, sid } from './ids.js';

export function contactsAndCallsContract(target: StoreTarget): void {
  let store: KyselyStore;
  beforeAll(async () => {
    store = await target.open();
  });

  it('upsertContact returns the same contact for the same phone and keeps its first creation time', async () => {
    const number = phone();
    const first = await store.upsertContact(number, at(0));
    const again = await store.upsertContact(`  ${number} `, at(5000));
    expect(again).toEqual(first);
    expect(first.phone).toBe(number);
    expect(first.name).toBeNull();
    expect(first.createdAt).toEqual(at(0));
    expect(await store.getContactByPhone(number)).toEqual(first);
    expect(await store.getContactByPhone(phone())).toBeUndefined();
  });

  it('creates one contact when 20 upserts for a new phone race', async () => {
    const number = phone();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.upsertContact(number, at(i))),
    );
    expect(new Set(results.map((c) => c.id)).size).toBe(1);
  });

  it('startCall stores every field, links the caller to a contact and reports created', async () => {
    const callSid = sid();
    const accountSid = sid('AC');
    const from = phone();
    const { call, created } = await store.startCall({
      callSid,
      accountSid,
      fromNumber: from,
      toNumber: '+97239999999',
      direction: 'inbound',
      at: at(1),
    });
    expect(created).toBe(true);
    const contact = await store.getContactByPhone(from);
    expect(contact).toBeDefined();
    expect(call).toEqual({
      callSid,
      accountSid,
      fromNumber: from,
      toNumber: '+97239999999',
      contactId: contact?.id,
      direction: 'inbound',
      status: 'ringing',
      statusSeq: -1,
      startedAt: at(1),
      answeredAt: null,
      endedAt: null,
      durationSec: null,
      outcome: null,
      summary: null,
      streamClaimedAt: null,
    });
    expect(await store.getCall(callSid)).toEqual(call);
  });

  it('a retried startCall returns the existing row unchanged with created=false', async () => {
    const callSid = sid();
    const first = await store.startCall({
      callSid,
      fromNumber: phone(),
      toNumber: '+1',
      status: 'queued',
      at: at(0),
    });
    const retry = await store.startCall({
      callSid,
      fromNumber: phone(),
      toNumber: '+2',
      status: 'ringing',
      at: at(9),
    });
    expect(retry.created).toBe(false);
    expect(retry.call).toEqual(first.call);
  });

  it('a call recorded already in progress counts as answered when it started', async () => {
    const { call } = await store.startCall({
      callSid: sid(),
      status: 'in-progress',
      direction: 'outbound-api',
      at: at(7),
    });
    expect(call).toMatchObject({ status: 'in-progress', answeredAt: at(7), endedAt: null });
  });

  it('20 concurrent startCall for one CallSid create exactly one row and all return it', async () => {
    const callSid = sid();
    const from = phone();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.startCall({ callSid, fromNumber: from, at: at(i) })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const winner = results.find((r) => r.created)?.call;
    for (const r of results) expect(r.call).toEqual(winner);
    const rows = await store.db
      .selectFrom('calls')
      .select('call_sid')
      .where('call_sid', '=', callSid)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('concurrent first calls from one new number share a single contact', async () => {
    const from = phone();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.startCall({ callSid: sid(), fromNumber: from, at: at(i) })),
    );
    expect(new Set(results.map((r) => r.call.contactId)).size).toBe(1);
    expect(results[0]?.call.contactId).not.toBeNull();
  });

  it('keeps withheld caller ids verbatim on the call but links no contact', async () => {
    for (const from of ['anonymous', 'Restricted', '+266696687', '', null]) {
      const { call } = await store.startCall({ callSid: sid(), fromNumber: from, at: at(0) });
      expect(call.contactId).toBeNull();
      expect(call.fromNumber).toBe(from === null ? null : from);
    }
    const client = await store.startCall({ callSid: sid(), fromNumber: 'client:alice', at: at(0) });
    expect(client.call.contactId).not.toBeNull();
  });

  it('listCallsForContact returns the contact’s calls newest first, up to the limit', async () => {
    const from = phone();
    const sids = [sid(), sid(), sid()];
    for (const [i, callSid] of sids.entries())
      await store.startCall({ callSid, fromNumber: from, at: at(i * 60_000) });
    const contact = await store.getContactByPhone(from);
    const calls = await store.listCallsForContact(contact!.id);
    expect(calls.map((c) => c.callSid)).toEqual([...sids].reverse());
    expect((await store.listCallsForContact(contact!.id, 2)).map((c) => c.callSid)).toEqual([
      sids[2],
      sids[1],
    ]);
    expect(await store.listCallsForContact(987654321)).toEqual([]);
  });

  it('listCalls pages newest first with limit and before', async () => {
    const fresh = await target.open();
    const sids = Array.from({ length: 5 }, () => sid());
    for (const [i, callSid] of sids.entries()) await fresh.startCall({ callSid, at: at(i * 1000) });
    const newestFirst = [...sids].reverse();
    expect((await fresh.listCalls()).map((c) => c.callSid)).toEqual(newestFirst);
    expect((await fresh.listCalls({ limit: 2 })).map((c) => c.callSid)).toEqual(newestFirst.slice(0, 2));
    expect((await fresh.listCalls({ before: at(3000) })).map((c) => c.callSid)).toEqual(newestFirst.slice(2));
    expect((await fresh.listCalls({ before: at(3000), limit: 1 })).map((c) => c.callSid)).toEqual([sids[2]]);
    expect(await fresh.listCalls({ limit: 0 })).toHaveLength(1);
  });

  it('getCall of an unknown sid is undefined', async () => {
    expect(await store.getCall(sid())).toBeUndefined();
  });

  it('rejects bad input with an AppError instead of writing a broken row', async () => {
    await expect(store.startCall({ callSid: '', at: at(0) })).rejects.toBeInstanceOf(AppError);
    await expect(store.startCall({ callSid: sid(), at: new Date(Number.NaN) })).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    await expect(store.upsertContact('   ', at(0))).rejects.toBeInstanceOf(AppError);
  });
}
