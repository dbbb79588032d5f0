// The Store interface: every CRM record the server keeps. One contract, several backends
// (SQLite by default, PostgreSQL in production) on the same migrations.
import type { CallStatus } from '../twilio/call-status.js';
import type { DirectoryStore } from './directory-store.js';
import type { AuthStore } from './auth-store.js';
import type { SecurityStore } from './security-store.js';
import type { TransferStore } from './transfer-store.js';
import type { CrmStore, LeadStatus } from './crm-store.js';
import type { JobStore } from './job-store.js';

export type { CallStatus };

export interface Contact {
  id: number;
  /** E.164, e.g. +972501234567; non-numeric callers (anonymous, client:…) are kept verbatim. */
  phone: string;
  name: string | null;
  createdAt: Date;
}

export interface CallRecord {
  callSid: string;
  accountSid: string | null;
  fromNumber: string | null;
  toNumber: string | null;
  contactId: number | null;
  direction: string | null;
  status: CallStatus;
  /** Highest status-callback SequenceNumber applied; -1 before any. */
  statusSeq: number;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  durationSec: number | null;
  outcome: string | null;
  /** Post-call summary written by the agent, if any. */
  summary: string | null;
  /** When a media stream claimed this call's single-use stream token; null while unclaimed. */
  streamClaimedAt: Date | null;
}

export interface StartCallInput {
  callSid: string;
  accountSid?: string | null;
  fromNumber?: string | null;
  toNumber?: string | null;
  direction?: string | null;
  status?: CallStatus;
  at: Date;
}

export interface StatusUpdate {
  callSid: string;
  status: CallStatus;
  /** Twilio's SequenceNumber; absent on old callbacks. */
  sequenceNumber?: number | null;
  durationSec?: number | null;
  at: Date;
}

/** applied: the call moved; stale: duplicate/out-of-order/after terminal; unknown: no such call. */
export type StatusResult = 'applied' | 'stale' | 'unknown';

export interface CallEventInput {
  callSid: string;
  /** e.g. status, stream, stream-error, recording, webhook, agent */
  kind: string;
  /** e.g. ringing, stream-started, stream-error */
  name: string;
  twilioCode?: number | null;
  detail?: Record<string, unknown> | null;
  at: Date;
  /** Events with the same key are stored once (idempotent callbacks). */
  dedupeKey?: string | null;
}

export interface CallEvent {
  id: number;
  callSid: string;
  kind: string;
  name: string;
  twilioCode: number | null;
  detail: Record<string, unknown> | null;
  at: Date;
}

export interface StreamOpen {
  streamSid: string;
  callSid: string;
  startedAt: Date;
}

/** What one media stream counted, written once when it closes. */
export interface StreamCounters {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
  marksOut: number;
  marksAcked: number;
  badFrames: number;
}

export interface StreamClose extends StreamCounters {
  streamSid: string;
  endedAt: Date;
  closeCode: number | null;
  closeReason: string | null;
}

export interface StreamRecord
  extends StreamOpen, StreamCounters, Pick<StreamClose, 'closeCode' | 'closeReason'> {
  endedAt: Date | null;
}

export interface RecordingInput {
  recordingSid: string;
  callSid: string;
  url: string | null;
  durationSec: number | null;
  status: string | null;
  /**
   * voicemail (Twilio <Record>), call-audio (both legs, local WAV), answer (one answer clip, local
   * WAV). Local files use a generated sid (`LC…`) and a file path as url.
   */
  source: string;
  at: Date;
}

export interface RecordingRecord extends RecordingInput {
  createdAt: Date;
  updatedAt: Date;
  /** Speech-to-text of a voicemail or answer clip (0008_jobs), once made; absent before. */
  transcript?: string;
}

export interface TranscriptTurnInput {
  callSid: string;
  role: 'caller' | 'agent';
  text: string;
  /** Ms since the stream started, when known. */
  startMs?: number | null;
  endMs?: number | null;
  at: Date;
}

export interface TranscriptTurn extends TranscriptTurnInput {
  id: number;
}

export interface LeadInput {
  callSid: string;
  contactId: number | null;
  /** Collected answers or extracted fields (name, need, area, budget, callback time, clips…). */
  fields: Record<string, unknown>;
  at: Date;
}

export interface LeadRecord {
  id: number;
  callSid: string;
  contactId: number | null;
  fields: Record<string, unknown>;
  /** new on every saved lead; the CRM moves it along (0004_crm mapped the old open → new, closed → lost). */
  status: LeadStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface Store extends DirectoryStore, AuthStore, SecurityStore, TransferStore, CrmStore, JobStore {
  /** Creates or upgrades the schema; safe to call on every start. */
  migrate(): Promise<void>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Finds or creates the contact for a phone number (idempotent, race-safe). */
  upsertContact(phone: string, at: Date): Promise<Contact>;
  getContactByPhone(phone: string): Promise<Contact | undefined>;

  /** Records an incoming call; a retried webhook for the same CallSid returns the existing row. */
  startCall(input: StartCallInput): Promise<{ call: CallRecord; created: boolean }>;
  getCall(callSid: string): Promise<CallRecord | undefined>;
  listCalls(opts?: { limit?: number; before?: Date }): Promise<CallRecord[]>;
  /**
   * Applies a status callback idempotently: never moves a call backwards (by SequenceNumber when
   * present, by status order otherwise); a terminal status wins and is final.
   */
  applyCallStatus(update: StatusUpdate): Promise<StatusResult>;
  setCallOutcome(callSid: string, outcome: string): Promise<void>;
  /**
   * Atomically claims the call's single-use stream token. True only for the first claim of a
   * known, non-terminal call.
   */
  claimStream(callSid: string, at: Date): Promise<boolean>;

  /** Appends to the call's timeline; false when dedupeKey was already stored. */
  addCallEvent(event: CallEventInput): Promise<boolean>;
  listCallEvents(callSid: string): Promise<CallEvent[]>;

  openStream(stream: StreamOpen): Promise<void>;
  closeStream(stream: StreamClose): Promise<void>;
  getStream(streamSid: string): Promise<StreamRecord | undefined>;

  /** Idempotent on recordingSid: later callbacks fill in url/duration/status, never erase them. */
  upsertRecording(recording: RecordingInput): Promise<void>;
  listRecordings(callSid: string): Promise<RecordingRecord[]>;

  addTranscriptTurn(turn: TranscriptTurnInput): Promise<void>;
  listTranscript(callSid: string): Promise<TranscriptTurn[]>;
  setCallSummary(callSid: string, summary: string): Promise<void>;

  /** One lead per call: a second save merges its fields into the first (later values win). */
  saveLead(lead: LeadInput): Promise<LeadRecord>;
  listLeadsForContact(contactId: number): Promise<LeadRecord[]>;
  getLeadForCall(callSid: string): Promise<LeadRecord | undefined>;
  /** The contact's calls, newest first (returning-caller lookup). */
  listCallsForContact(contactId: number, limit?: number): Promise<CallRecord[]>;
}
