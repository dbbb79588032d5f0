// zod schemas for the CRM's query strings and ids, shared by the JSON and CSV routes: dates in
// the configured zone, enums from the store's own value sets, bounded text and page sizes.
import { z } from 'zod';
import { CALL_STATUSES } from '../twilio/call-status.js';
import { CALL_RESULTS, LEAD_STATUSES } from '../store/crm-store.js';
import type { CallFilter, LeadFilter } from '../store/crm-store.js';
import { cursorCodec } from './validate.js';
import { addDays, startOfLocalDay } from './zoned-time.js';
import { CALL_SID } from '../twilio/sids.js';

export const callSidParam = z.object({
  callSid: z.string().regex(CALL_SID, { message: 'must be CA followed by 32 lowercase hex digits' }),
});
export const idParam = z.object({
  id: z.coerce
    .number({ message: 'must be a positive whole number' })
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER),
});
/** A user or directory agent id. */
export const principalId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/, {
  message: 'must be an id of letters, digits and . _ : @ -',
});

export const searchText = z.string().trim().min(1, { message: 'must not be empty' }).max(200);
export const pageLimit = z.coerce
  .number({ message: 'must be a whole number' })
  .int()
  .min(1)
  .max(200)
  .default(50);
const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const isDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && addDays(text, 0) === text;
const isoTime = z.iso.datetime({ offset: true });

/**
 * A time bound: a local date (`YYYY-MM-DD`, a whole day in the zone: `from` its start, `to` its
 * end, so from=to=a day is that day) or an ISO 8601 instant with its offset.
 */
export function timeBound(zone: string, edge: 'from' | 'to') {
  return z.string().transform((text, ctx): Date => {
    if (isDate(text)) return new Date(startOfLocalDay(edge === 'to' ? addDays(text, 1) : text, zone));
    if (isoTime.safeParse(text).success) return new Date(Date.parse(text));
    ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD) or an ISO 8601 time with offset' });
    return z.NEVER;
  });
}

const fromBeforeTo = (q: { from?: Date | undefined; to?: Date | undefined }) =>
  q.from === undefined || q.to === undefined || q.from < q.to;
const ORDER = { message: 'must be after from', path: ['to'] };

/** Epoch ms a Date can hold: a forged cursor must not reach the store as an invalid Date. */
const epochMs = z.number().int().min(-8.64e15).max(8.64e15);

export const callCursor = cursorCodec(z.object({ t: epochMs, s: z.string().min(1).max(64) }));

/** The filters of GET /calls, also taken by GET /calls.csv. */
function callFilterShape(zone: string) {
  return {
    from: timeBound(zone, 'from').optional(),
    to: timeBound(zone, 'to').optional(),
    status: z.enum(CALL_STATUSES).optional(),
    outcome: z.enum(CALL_RESULTS).optional(),
    agent: principalId.optional(),
    contact: idParam.shape.id.optional(),
    direction: z.enum(['inbound', 'outbound', 'outbound-api', 'outbound-dial']).optional(),
    q: searchText.optional(),
    test: flag.optional(),
  };
}

export function callQuery(zone: string) {
  return z
    .strictObject({ ...callFilterShape(zone), limit: pageLimit, cursor: callCursor.schema.optional() })
    .refine(fromBeforeTo, ORDER);
}

export function callExportQuery(zone: string) {
  return z.strictObject(callFilterShape(zone)).refine(fromBeforeTo, ORDER);
}

export type CallQuery = z.output<ReturnType<typeof callExportQuery>>;

export function callFilterOf(q: CallQuery): CallFilter {
  return {
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.outcome ? { result: q.outcome } : {}),
    ...(q.agent ? { agentId: q.agent } : {}),
    ...(q.contact !== undefined ? { contactId: q.contact } : {}),
    ...(q.direction ? { direction: q.direction } : {}),
    ...(q.q ? { text: q.q } : {}),
    ...(q.test !== undefined ? { test: q.test } : {}),
  };
}

export const leadCursor = cursorCodec(
  z.object({ t: epochMs, id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
);

function leadFilterShape(zone: string) {
  return {
    status: z.enum(LEAD_STATUSES).optional(),
    assignee: principalId.optional(),
    contact: idParam.shape.id.optional(),
    q: searchText.optional(),
    from: timeBound(zone, 'from').optional(),
    to: timeBound(zone, 'to').optional(),
  };
}

export function leadQuery(zone: string) {
  return z
    .strictObject({ ...leadFilterShape(zone), limit: pageLimit, cursor: leadCursor.schema.optional() })
    .refine(fromBeforeTo, ORDER);
}

export function leadExportQuery(zone: string) {
  return z.strictObject(leadFilterShape(zone)).refine(fromBeforeTo, ORDER);
}

export type LeadQuery = z.output<ReturnType<typeof leadExportQuery>>;

export function leadFilterOf(q: LeadQuery): LeadFilter {
  return {
    ...(q.status ? { status: q.status } : {}),
    ...(q.assignee ? { assignee: q.assignee } : {}),
    ...(q.contact !== undefined ? { contactId: q.contact } : {}),
    ...(q.q ? { text: q.q } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
  };
}
