// Contract: migrations, ping, close and durability across a reopen of the same database.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { storeMigrations } from '../../../src/store/migrations.js';
import { openDatabase } from '../../../src/store/open-store.js';
import type { StoreTarget } from '../../support/databases.js';
import { at, phone, sid } from './ids.js';

export function lifecycleContract(target: StoreTarget): void {
  it('keeps its rows when the same database is closed and reopened', async () => {
    const opts = await target.freshOptions();
    const first = await target.reopen(opts);
    const callSid = sid();
    const from = phone();
    await first.startCall({ callSid, fromNumber: from, at: at(0) });
    await first.applyCallStatus({
      callSid,
      status: 'completed',
      sequenceNumber: 3,
      durationSec: 9,
      at: at(9000),
    });
    await first.addCallEvent({
      callSid,
      kind: 'status',
      name: 'completed',
      detail: { n: 1 },
      at: at(9000),
      dedupeKey: callSid,
    });
    await first.saveLead({ callSid, contactId: null, fields: { need: 'buy' }, at: at(9000) });
    const before = await first.getCall(callSid);
    await first.close();

    const second = await target.reopen(opts);
    expect(await second.getCall(callSid)).toEqual(before);
    expect(await second.getContactByPhone(from)).toBeDefined();
    expect(await second.listCallEvents(callSid)).toHaveLength(1);
    expect(
      await second.addCallEvent({
        callSid,
        kind: 'status',
        name: 'completed',
        at: at(1),
        dedupeKey: callSid,
      }),
    ).toBe(false);
    expect((await second.getLeadForCall(callSid))?.fields).toEqual({ need: 'buy' });
  });

  it('migrate is safe to run again on an up-to-date schema', async () => {
    const store = await target.open();
    await store.migrate();
    await store.migrate();
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('completes a first migration that was interrupted before Kysely recorded it', async () => {
    const opts = await target.freshOptions();
    const { db, dialect } = await openDatabase(opts);
    try {
      // The tables exist but kysely_migration does not: a crash right after the DDL.
      await storeMigrations(dialect)['0001_initial']!.up(db);
    } finally {
      await db.destroy();
    }
    const store = await target.reopen(opts);
    await store.startCall({ callSid: sid(), at: at(0) });
    expect(await store.listCalls()).toHaveLength(1);
  });

  it('enforces the contact foreign key of a call', async () => {
    const store = await target.open();
    const insert = sql`insert into calls (call_sid, status, status_seq, started_at, contact_id) values (${sid()}, 'ringing', -1, 0, 987654)`;
    await expect(insert.execute(store.db)).rejects.toThrow();
  });

  it('after close, operations fail with STORE_FAILED and close can be repeated', async () => {
    const store = await target.open();
    await store.close();
    await store.close();
    const failure = await store.ping().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'STORE_FAILED' });
    await expect(store.getCall(sid())).rejects.toMatchObject({ code: 'STORE_FAILED' });
  });
}
