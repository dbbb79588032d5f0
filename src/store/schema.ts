// The database's table types, shared by the migrations, the queries and the row mappers.
// Times are epoch milliseconds in BIGINT columns; JSON is stored as TEXT on both dialects.
import type { ColumnType } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

/** PostgreSQL returns BIGINT as a string (it may exceed 2^53); SQLite returns a number. */
type Big = ColumnType<number | string, number, number>;
type BigOrNull = ColumnType<number | string | null, number | null | undefined, number | null>;
type Int = ColumnType<number, number, number>;
type IntOrNull = ColumnType<number | null, number | null | undefined, number | null>;
type TextOrNull = ColumnType<string | null, string | null | undefined, string | null>;
/** Database-generated identity: read-only to the queries. */
type Identity = ColumnType<number | string, never, never>;

export interface ContactsTable {
  id: Identity;
  phone: string;
  name: TextOrNull;
  created_at: Big;
}

export interface CallsTable {
  call_sid: string;
  account_sid: TextOrNull;
  from_number: TextOrNull;
  to_number: TextOrNull;
  contact_id: BigOrNull;
  direction: TextOrNull;
  status: string;
  status_seq: Int;
  started_at: Big;
  answered_at: BigOrNull;
  ended_at: BigOrNull;
  duration_sec: IntOrNull;
  outcome: TextOrNull;
  summary: TextOrNull;
  stream_claimed_at: BigOrNull;
}

export interface CallEventsTable {
  id: Identity;
  call_sid: string;
  kind: string;
  name: string;
  twilio_code: IntOrNull;
  /** JSON object as text, or null. */
  detail: TextOrNull;
  at: Big;
  dedupe_key: TextOrNull;
}

export interface StreamsTable {
  stream_sid: string;
  call_sid: string;
  started_at: Big;
  ended_at: BigOrNull;
  frames_in: Int;
  bytes_in: Big;
  frames_out: Int;
  bytes_out: Big;
  marks_out: Int;
  marks_acked: Int;
  bad_frames: Int;
  close_code: IntOrNull;
  close_reason: TextOrNull;
}

export interface RecordingsTable {
  recording_sid: string;
  call_sid: string;
  url: TextOrNull;
  duration_sec: IntOrNull;
  status: TextOrNull;
  source: string;
  created_at: Big;
  updated_at: Big;
}

export interface TranscriptTurnsTable {
  id: Identity;
  call_sid: string;
  role: string;
  text: string;
  start_ms: BigOrNull;
  end_ms: BigOrNull;
  at: Big;
}

export interface LeadsTable {
  id: Identity;
  call_sid: string;
  contact_id: BigOrNull;
  /** JSON object as text. */
  fields: string;
  status: string;
  /** Bumped on every merge: the compare-and-swap token that makes concurrent merges safe. */
  revision: Int;
  created_at: Big;
  updated_at: Big;
}

export interface Database {
  contacts: ContactsTable;
  calls: CallsTable;
  call_events: CallEventsTable;
  streams: StreamsTable;
  recordings: RecordingsTable;
  transcript_turns: TranscriptTurnsTable;
  leads: LeadsTable;
  crm_outbox: CrmOutboxTable;
}

// --- crm (0004_crm) ---
// Columns 0004_crm adds to existing tables, by interface merging so the originals stay as they were.
export interface ContactsTable {
  notes: TextOrNull;
  /** JSON array of strings. */
  tags: ColumnType<string, string | undefined, string>;
}

export interface CallsTable {
  /** 1 for a test call, 0 otherwise. */
  is_test: ColumnType<number, number | undefined, number>;
  agent_id: TextOrNull;
}

export interface LeadsTable {
  assignee: TextOrNull;
  notes: TextOrNull;
}

export interface CrmOutboxTable {
  id: Identity;
  event_key: string;
  type: string;
  call_sid: string;
  payload: TextOrNull;
  attempts: Int;
  available_at: Big;
  lease_owner: TextOrNull;
  lease_until: BigOrNull;
  delivered_at: BigOrNull;
  failed_at: BigOrNull;
  last_error: TextOrNull;
  created_at: Big;
}
