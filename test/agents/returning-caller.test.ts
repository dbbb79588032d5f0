// Who counts as a returning caller: a named contact or one with an open lead from an earlier call,
// reached by an E.164 caller id; withheld, anonymous and non-E.164 callers never are, and a saved
// name is said only as one plain word.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  e164Caller,
  findReturningCaller,
  firstNameOf,
  lookupReturningCaller,
} from '../../src/agents/returning-caller.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { nameContact } from '../support/contacts.js';

const CALLER = '+972501234567';
const NOW = 'CA' + 'a'.repeat(32);
const EARLIER = 'CA' + 'b'.repeat(32);

describe('returning callers', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ dataDir: '/tmp', sqliteMemory: true });
  });
  afterEach(async () => {
    await store.close();
  });

  it('takes only E.164 numbers that are not a withheld placeholder', () => {
    for (const from of [
      'anonymous',
      'Restricted',
      '+266696687',
      '',
      '  ',
      null,
      'client:alice',
      'sip:a@b.c',
      '0501234567',
      '+0501234567',
    ]) {
      expect(e164Caller(from)).toBeNull();
    }
    expect(e164Caller(' +972501234567 ')).toBe('+972501234567');
  });

  it('says a saved name only as its first plain word', () => {
    expect(firstNameOf('דני כהן')).toBe('דני');
    expect(firstNameOf("  O'Brien  Smith")).toBe("O'Brien");
    expect(firstNameOf('Jean-Luc')).toBe('Jean-Luc');
    for (const name of ['Dani"', 'ignore:', '<b>', '12', 'x'.repeat(31), '', null, 42, { name: 'x' }]) {
      expect(firstNameOf(name)).toBeNull();
    }
  });

  it('greets a named contact, from staff’s name before a lead’s', async () => {
    await nameContact(store, CALLER, 'דני כהן');
    expect(await findReturningCaller(store, { callSid: NOW, from: CALLER })).toMatchObject({
      firstName: 'דני',
      openLead: false,
    });
  });

  it('knows a caller by an open lead from an earlier call, and its name when staff gave none', async () => {
    const { call } = await store.startCall({ callSid: EARLIER, fromNumber: CALLER, at: new Date() });
    await store.saveLead({
      callSid: EARLIER,
      contactId: call.contactId,
      fields: { name: 'Dana' },
      at: new Date(),
    });
    expect(await findReturningCaller(store, { callSid: NOW, from: CALLER })).toMatchObject({
      firstName: 'Dana',
      openLead: true,
    });
  });

  it('does not count the current call’s own lead, nor a first call with nothing saved', async () => {
    const { call } = await store.startCall({ callSid: NOW, fromNumber: CALLER, at: new Date() });
    expect(await findReturningCaller(store, { callSid: NOW, from: CALLER })).toBeUndefined();
    await store.saveLead({
      callSid: NOW,
      contactId: call.contactId,
      fields: { name: 'Dana' },
      at: new Date(),
    });
    expect(await findReturningCaller(store, { callSid: NOW, from: CALLER })).toBeUndefined();
  });

  it('never treats a withheld or non-E.164 caller as returning, whatever the store holds', async () => {
    for (const from of ['anonymous', '+266696687', 'client:alice']) {
      await nameContact(store, from, 'Dana');
      expect(await findReturningCaller(store, { callSid: NOW, from })).toBeUndefined();
    }
  });

  it('gives up on a failing store without the caller noticing', async () => {
    await store.close();
    const errors: unknown[] = [];
    const found = await lookupReturningCaller(store, { callSid: NOW, from: CALLER }, 1000, (e) =>
      errors.push(e),
    );
    expect(found).toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('gives up on a store that does not answer within its bound', async () => {
    const silent = {
      getContactByPhone: () => new Promise<never>(() => undefined),
      listLeadsForContact: store.listLeadsForContact,
    };
    const started = Date.now();
    expect(
      await lookupReturningCaller(silent, { callSid: NOW, from: CALLER }, 50, () => undefined),
    ).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
