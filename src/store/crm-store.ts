// CrmStore: what the CRM API reads and writes beyond the call pipeline's Store: filtered, cursor
// paged lists, contact and lead edits, the numbers behind /stats and the webhook outbox.
import type { CallRecord, CallStatus, Contact, LeadRecord, RecordingRecord, StreamRecord } from './store.js';

/** A lead's place in the pipeline: new → contacted → qualified → won | lost. */
export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'won' | 'lost';
export const LEAD_STATUSES: readonly LeadStatus[] = ['new', 'contacted', 'qualified', 'won', 'lost'];

/**
 * How a call went, derived from what the store holds, first match wins: still live; voicemail
 * (a Twilio recording was left); transferred (the outcome says so); answered (the agent took
 * the stream); abandoned (it ended before any of that).
 */
export type CallResult = 'live' | 'voicemail' | 'transferred' | 'answered' | 'abandoned';
export const CALL_RESULTS: readonly CallResult[] = [
  'live',
  'voicemail',
  'transferred',
  'answered',
  'abandoned',
];

export interface CrmCall extends CallRecord {
  result: CallResult;
  isTest: boolean;
  /** The directory agent who took the call, when one did. */
  agentId: string | null;
  contactName: string | null;
  leadId: number | null;
  leadStatus: LeadStatus | null;
}

export interface CallFilter {
  /** started at or after */
  from?: Date;
  /** started before */
  to?: Date;
  status?: CallStatus;
  result?: CallResult;
  agentId?: string;
  contactId?: number;
  /** Twilio's Direction, by prefix: `outbound` matches outbound-api and outbound-dial. */
  direction?: string;
  /** Case-insensitive, over transcript, summary, lead fields, contact name and both numbers. */
  text?: string;
  test?: boolean;
}

/** A position in a newest-first list: the last item of the previous page. */
export interface CallCursor {
  startedAt: Date;
  callSid: string;
}

export interface Page<T, C> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  next: C | null;
}

export interface CrmContact extends Contact {
  notes: string | null;
  tags: string[];
  callCount: number;
  lastCallAt: Date | null;
}

export interface ContactFilter {
  /** Over name, notes and phone (local 05x or E.164). */
  text?: string;
  tag?: string;
}

export interface ContactPatch {
  name?: string | null;
  notes?: string | null;
  tags?: string[];
}

export interface CrmLead extends LeadRecord {
  status: LeadStatus;
  /** A user or directory agent id. */
  assignee: string | null;
  notes: string | null;
  contactPhone: string | null;
  contactName: string | null;
}

export interface LeadFilter {
  status?: LeadStatus;
  assignee?: string;
  contactId?: number;
  /** Over the lead's fields, notes, and the contact's name and phone. */
  text?: string;
  /** created at or after */
  from?: Date;
  /** created before */
  to?: Date;
}

export interface LeadCursor {
  createdAt: Date;
  id: number;
}

export interface LeadPatch {
  status?: LeadStatus;
  assignee?: string | null;
  notes?: string | null;
}

/** A stretch of time with one UTC offset, so days can be counted in a zone with DST. */
export interface OffsetSegment {
  from: Date;
  to: Date;
  offsetMs: number;
}

export interface DayCounts {
  /** floor((utc ms + offset) / 1 day): the local calendar day as days since 1970-01-01. */
  day: number;
  calls: number;
  live: number;
  answered: number;
  transferred: number;
  voicemail: number;
  abandoned: number;
  leads: number;
}

export interface CallStats {
  /** Only days with something in them, ascending. */
  days: DayCounts[];
  /** Median length of completed calls with a known duration; null when there are none. */
  medianDurationSec: number | null;
  /** Twilio stream errors by code (null: an error without a code), most frequent first. */
  streamErrors: { code: number | null; count: number }[];
}

/** One stream error Twilio reported, as the Settings page lists the last few. */
export interface StreamErrorRecord {
  callSid: string;
  at: Date;
  twilioCode: number | null;
  /** Twilio's StreamError text, e.g. "Stream - WebSocket - Connection Error". */
  message: string | null;
  streamSid: string | null;
  isTest: boolean;
}

export interface OutboxItem {
  id: number;
  /** e.g. `call.completed:CA…`: unique, and the receiver's idempotency key. */
  eventKey: string;
  type: string;
  callSid: string;
  payload: string | null;
  attempts: number;
  availableAt: Date;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

export interface CompletedCallSweep {
  now: Date;
  /** A call must have ended this long ago (late recording and summary writes land first). */
  settleMs: number;
  /** After this long an unclosed stream (an instance that died mid-call) no longer holds it back. */
  streamGraceMs: number;
  /** Calls that ended longer ago than this are not enqueued any more. */
  lookbackMs: number;
}

export interface CrmStore {
  listCrmCalls(
    filter: CallFilter,
    page: { limit?: number; after?: CallCursor },
  ): Promise<Page<CrmCall, CallCursor>>;
  getCrmCall(callSid: string): Promise<CrmCall | undefined>;
  listStreams(callSid: string): Promise<StreamRecord[]>;
  getRecording(recordingSid: string): Promise<RecordingRecord | undefined>;
  setCallTest(callSid: string, isTest: boolean): Promise<void>;

  listContacts(
    filter: ContactFilter,
    page: { limit?: number; after?: number },
  ): Promise<Page<CrmContact, number>>;
  getCrmContact(id: number): Promise<CrmContact | undefined>;
  /** Undefined when there is no such contact. */
  patchContact(id: number, patch: ContactPatch): Promise<CrmContact | undefined>;

  listLeads(
    filter: LeadFilter,
    page: { limit?: number; after?: LeadCursor },
  ): Promise<Page<CrmLead, LeadCursor>>;
  getCrmLead(id: number): Promise<CrmLead | undefined>;
  /** Safe against a concurrent saveLead merge (both bump the revision). Undefined: no such lead. */
  patchLead(id: number, patch: LeadPatch, at: Date): Promise<CrmLead | undefined>;

  /** Counts per local day over [from, to); test calls are left out. */
  callStats(range: { from: Date; to: Date; segments: OffsetSegment[] }): Promise<CallStats>;
  /** The last `limit` (1..100) stream errors, newest first, test calls included (marked). */
  recentStreamErrors(limit: number): Promise<StreamErrorRecord[]>;

  /**
   * Enqueues `call.completed` for every call that reached a terminal status and whose streams
   * are closed; idempotent (one row per call, whichever instance sweeps). Returns how many.
   */
  enqueueCompletedCalls(sweep: CompletedCallSweep): Promise<number>;
  /** Leases up to `limit` due items to `owner`; an item is leased to one owner at a time. */
  claimOutbox(opts: { owner: string; now: Date; leaseMs: number; limit: number }): Promise<OutboxItem[]>;
  /** Stores the body once; returns the stored one (an earlier attempt's, if it froze first). */
  freezeOutboxPayload(id: number, payload: string): Promise<string>;
  /** False when the lease was lost (another owner holds the item now). */
  markOutboxDelivered(id: number, owner: string, at: Date): Promise<boolean>;
  /** retryAt null: give up (failed_at is set). */
  markOutboxFailed(
    id: number,
    owner: string,
    failure: { error: string; retryAt: Date | null; at: Date },
  ): Promise<boolean>;
  getOutboxItem(eventKey: string): Promise<OutboxItem | undefined>;
}
