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
  calls: CallsTable & CallsDirectoryColumns;
  call_events: CallEventsTable;
  streams: StreamsTable;
  recordings: RecordingsTable;
  transcript_turns: TranscriptTurnsTable;
  leads: LeadsTable;
  directory_meta: DirectoryMetaTable;
  departments: DepartmentsTable;
  agents: AgentsTable;
  agent_presence: AgentPresenceTable;
  agent_legs: AgentLegsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  transfers: TransfersTable;
  crm_outbox: CrmOutboxTable;
  jobs: JobsTable;
}

// --- directory (agent locator) ---

/** Columns migration 0002_directory adds to calls. */
export interface CallsDirectoryColumns {
  /** The directory agent who took the call, if one did (sticky routing reads it). */
  agent_id: TextOrNull;
}

/** One row, key 'directory': where the directory comes from and its timezone. */
export interface DirectoryMetaTable {
  key: string;
  source: string;
  timezone: string;
  synced_at: Big;
}

export interface DepartmentsTable {
  id: string;
  /** The order of the file (the first department is the default). */
  position: Int;
  strategy: string;
  ring_seconds: Int;
  /** JSON hours spec, or null (always open). */
  hours: TextOrNull;
  /** JSON array of YYYY-MM-DD. */
  closed: string;
  after_hours_prompt: TextOrNull;
  no_answer_prompt: TextOrNull;
  /** Hash of the definition: a sync rewrites only what changed. */
  digest: string;
  updated_at: Big;
}

export interface AgentsTable {
  id: string;
  position: Int;
  name: string;
  phone: string;
  /** JSON arrays of strings. */
  departments: string;
  languages: string;
  skills: string;
  priority: Int;
  max_calls: Int;
  hours: TextOrNull;
  status: string;
  digest: string;
  updated_at: Big;
}

/** Live status set through CLI/API; overrides the definition's until the definition changes. */
export interface AgentPresenceTable {
  agent_id: string;
  status: string;
  set_at: Big;
}

export interface AgentLegsTable {
  id: Identity;
  agent_id: string;
  call_sid: string;
  /** Which of the agent's maxCalls lines the leg holds. */
  slot: Int;
  reserved_at: Big;
  answered_at: BigOrNull;
  ended_at: BigOrNull;
  /** A live leg past this is free again (an instance died holding it). */
  expires_at: Big;
  outcome: TextOrNull;
  /** `agent:slot` while live, NULL after: UNIQUE, so one live leg per line. */
  live_key: TextOrNull;
  /** `agent:callSid` while live, NULL after: UNIQUE, so a call holds an agent once. */
  live_call_key: TextOrNull;
}

// --- auth ---
export interface UsersTable {
  id: Identity;
  username: string;
  role: string;
  agent_id: TextOrNull;
  password_hash: string;
  disabled_at: BigOrNull;
  created_at: Big;
  updated_at: Big;
}

export interface ApiKeysTable {
  id: Identity;
  name: string;
  prefix: string;
  secret_hash: string;
  created_by: BigOrNull;
  created_at: Big;
  last_used_at: BigOrNull;
  revoked_at: BigOrNull;
}

export interface SessionsTable {
  /** SHA-256 of the session id, hex. */
  sid: string;
  user_id: Big;
  /** JSON object as text. */
  data: string;
  expires_at: Big;
}

// --- security ---
/** Columns 0005_security adds to calls (merged into the interface above). */
export interface CallsTable {
  /** 1 once an incoming_call for the call carried a valid signature. */
  webhook_signed: ColumnType<number, number | undefined, number>;
}

/** One call handed to a person: its ring groups, the attempt ringing, callbacks handled, who took it. */
export interface TransfersTable {
  call_sid: string;
  state: string;
  department: TextOrNull;
  topic: TextOrNull;
  ring_seconds: Int;
  /** JSON: the route's ring groups ({agentId, name, phone}[][]). */
  groups: string;
  no_answer_prompt: TextOrNull;
  attempt: Int;
  handled: Int;
  reply: TextOrNull;
  agent_id: TextOrNull;
  voicemail_reason: TextOrNull;
  voicemail_prompt: TextOrNull;
  created_at: Big;
  updated_at: Big;
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

// --- jobs (0008_jobs) ---
export interface RecordingsTable {
  /** The speech-to-text of a voicemail or an answer clip, once a job made it. */
  transcript: TextOrNull;
  transcribed_at: BigOrNull;
}

export interface TranscriptTurnsTable {
  /** recording:<sid> for the turn a recording's transcript became; null for every other turn. */
  source_key: TextOrNull;
}

export interface JobsTable {
  id: Identity;
  job_key: string;
  kind: string;
  call_sid: string;
  recording_sid: TextOrNull;
  attempts: Int;
  available_at: Big;
  lease_owner: TextOrNull;
  lease_until: BigOrNull;
  done_at: BigOrNull;
  failed_at: BigOrNull;
  last_error: TextOrNull;
  created_at: Big;
}
