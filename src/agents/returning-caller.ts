// A returning caller, as far as a caller ID that anyone can send may tell: the first name on their
// contact (staff's, else one captured as text on an earlier lead) and whether a lead of theirs is
// still open. Withheld, anonymous and non-E.164 caller ids are never returning.
import type { AgentStore } from './agent.js';
import type { LeadRecord } from '../store/store.js';
import { contactPhoneFor } from '../store/phone.js';

export interface ReturningCaller {
  contactId: number;
  /** One word of letters: safe to say, and to put in the model's instructions. */
  firstName: string | null;
  /** A lead from an earlier call is still being worked. */
  openLead: boolean;
}

export type ReturningStore = Pick<AgentStore, 'getContactByPhone' | 'listLeadsForContact'>;

/** `+` and 7 to 15 digits, the first not 0 (ITU-T E.164). */
const E164 = /^\+[1-9]\d{6,14}$/;
/** Letters (any script) with inner apostrophes, geresh or hyphens, at most 30 characters. */
const NAME_WORD = /^[\p{L}\p{M}](?:[\p{L}\p{M}'’׳-]{0,28}[\p{L}\p{M}])?$/u;
/** Lead states that mean it is done with: closed, or the ends of the CRM's pipeline. */
const DONE_LEAD: ReadonlySet<string> = new Set(['closed', 'won', 'lost']);

/**
 * The caller id when it is a phone number in E.164, else null. `From` is free text for SIP and
 * client callers, and withheld numbers come as words or their keypad spelling (+266696687).
 */
export function e164Caller(from: string | null | undefined): string | null {
  const phone = from?.trim() ?? '';
  return E164.test(phone) && contactPhoneFor(phone) !== null ? phone : null;
}

/** The first word of a saved name, when it is only letters; anything else is not said. */
export function firstNameOf(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const word = name.normalize('NFC').trim().split(/\s+/u)[0] ?? '';
  return NAME_WORD.test(word) ? word : null;
}

export function isOpenLead(lead: Pick<LeadRecord, 'status'>): boolean {
  return !DONE_LEAD.has(lead.status);
}

/**
 * findReturningCaller within `ms`: a slow or failing store only costs the welcome (`onError`
 * hears of a failure).
 */
export async function lookupReturningCaller(
  store: ReturningStore,
  call: { callSid: string; from: string | null },
  ms: number,
  onError: (err: unknown) => void,
): Promise<ReturningCaller | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  const lookup = findReturningCaller(store, call).catch((err: unknown) => {
    onError(err);
    return undefined;
  });
  try {
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Undefined for a first-time, unknown or withheld caller. */
export async function findReturningCaller(
  store: ReturningStore,
  call: { callSid: string; from: string | null },
): Promise<ReturningCaller | undefined> {
  const phone = e164Caller(call.from);
  if (!phone) return undefined;
  const contact = await store.getContactByPhone(phone);
  if (!contact) return undefined;
  const earlier = (await store.listLeadsForContact(contact.id)).filter((l) => l.callSid !== call.callSid);
  // Staff's spelling wins; a lead's name (newest first) only when staff gave none.
  const firstName =
    contact.name !== null
      ? firstNameOf(contact.name)
      : firstNameOf(earlier.map((l) => l.fields.name).find((n) => typeof n === 'string'));
  const openLead = earlier.some(isOpenLead);
  if (firstName === null && !openLead) return undefined;
  return { contactId: contact.id, firstName, openLead };
}
