// The API's JSON as the dashboard reads it: the ONE place its shapes are named. Where the server
// exports them (src/api/) they are imported from there; the rest follow the documented contract
// (issue 18), dates as ISO strings, until their routes export theirs.

// The API's own (zod-inferred) shapes, type-only: nothing of the server reaches the bundle.
import type { ApiKeyView, UserView } from '../../../src/api/views.js';
import type { SettingsView } from '../../../src/api/settings-view.js';

type Iso = string;

export type { ApiKeyView, UserView };
export type Role = UserView['role'];

/** GET /auth/session and POST /auth/login; user is null when an API key asks (no dashboard). */
export interface SessionView {
  user: UserView | null;
  csrfToken: string | null;
}

/** POST /api-keys answers the secret once. */
export interface CreatedApiKey {
  apiKey: ApiKeyView;
  key: string;
}

export type CallStatus =
  | 'queued'
  | 'initiated'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'failed'
  | 'no-answer'
  | 'canceled';
export const CALL_STATUSES: readonly CallStatus[] = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
];

export type CallOutcome = 'live' | 'voicemail' | 'transferred' | 'answered' | 'abandoned';
export const CALL_OUTCOMES: readonly CallOutcome[] = [
  'live',
  'answered',
  'transferred',
  'voicemail',
  'abandoned',
];

export const CALL_DIRECTIONS = ['inbound', 'outbound', 'outbound-api', 'outbound-dial'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'won' | 'lost';
export const LEAD_STATUSES: readonly LeadStatus[] = ['new', 'contacted', 'qualified', 'won', 'lost'];

export interface CallView {
  callSid: string;
  from: string | null;
  to: string | null;
  direction: string | null;
  status: CallStatus;
  outcome: CallOutcome;
  outcomeDetail: string | null;
  startedAt: Iso;
  answeredAt: Iso | null;
  endedAt: Iso | null;
  durationSec: number | null;
  contactId: number | null;
  contactName: string | null;
  agentId: string | null;
  test: boolean;
  summary: string | null;
  lead: { id: number; status: LeadStatus | null } | null;
}

export interface ContactView {
  id: number;
  phone: string;
  name: string | null;
  notes: string | null;
  tags: string[];
  createdAt: Iso;
  callCount: number;
  lastCallAt: Iso | null;
}

export interface LeadView {
  id: number;
  callSid: string;
  status: LeadStatus;
  assignee: string | null;
  notes: string | null;
  fields: Record<string, unknown>;
  contact: { id: number; phone: string | null; name: string | null } | null;
  createdAt: Iso;
  updatedAt: Iso;
}

export interface RecordingView {
  recordingSid: string;
  /** voicemail | call-audio | answer */
  source: string;
  status: string | null;
  durationSec: number | null;
  createdAt: Iso;
  audioUrl: string;
  /** The server's transcription (TRANSCRIBE_URL), once made. */
  transcript?: string;
}

export interface EventView {
  id: number;
  kind: string;
  name: string;
  twilioCode: number | null;
  detail: Record<string, unknown> | null;
  at: Iso;
}

export interface StreamView {
  streamSid: string;
  startedAt: Iso;
  endedAt: Iso | null;
  framesIn: number;
  framesOut: number;
  marksOut: number;
  marksAcked: number;
  badFrames: number;
  closeCode: number | null;
  closeReason: string | null;
}

export interface TranscriptView {
  role: 'caller' | 'agent';
  text: string;
  startMs: number | null;
  endMs: number | null;
  at: Iso;
}

/** A transfer step: one of the call's timeline events (kind transfer or agent…). */
export type TransferView = EventView;

export interface CallDetail {
  call: CallView;
  contact: ContactView | null;
  events: EventView[];
  streams: StreamView[];
  transcript: TranscriptView[];
  recordings: RecordingView[];
  lead: LeadView | null;
  summary: string | null;
  transfers: TransferView[];
}

export interface ContactDetail {
  contact: ContactView;
  leads?: LeadView[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface StatsView {
  days: {
    day: string;
    calls: number;
    answered: number;
    transferred: number;
    voicemail: number;
    abandoned: number;
    leads: number;
  }[];
  medianDurationSec: number | null;
  streamErrors: { code: number | null; count: number }[];
}

/** An agent's availability as GET /agents reports it and PATCH /agents/:id/status sets it. */
export type AgentStatus = 'available' | 'away' | 'offline';
export const AGENT_STATUSES: readonly AgentStatus[] = ['available', 'away', 'offline'];

/** One agent of GET /agents (src/routing/directory-view.ts). */
export interface AgentView {
  id: string;
  name: string;
  phone: string;
  departments: string[];
  languages: string[];
  skills: string[];
  priority: number;
  maxCalls: number;
  /** The hours spec as written; null = the departments' hours. */
  hours: Record<string, unknown> | null;
  /** e.g. `sun-thu 09:00-18:00, fri 09:00-13:00`, or `always`. */
  hoursText: string;
  /** The status routing uses now (live, else the definition's). */
  status: AgentStatus;
  definedStatus: string;
  statusSetAt: Iso | null;
  liveCalls: number;
  /** Whether routing would offer this agent a call right now, and why not. */
  eligibleNow: boolean;
  whyNot: string | null;
}

export interface DepartmentView {
  id: string;
  strategy: string;
  ringSeconds: number;
  hours: Record<string, unknown> | null;
  hoursText: string;
  closed: string[];
  /** open, closed (outside hours) or holiday, right now. */
  now: string;
}

/** GET /agents: the directory, who can take a call now. */
export interface AgentsList {
  /** file: AGENTS_FILE manages it; store: managed here; null: nothing configured yet. */
  source: 'file' | 'store' | null;
  /** true when AGENTS_FILE manages the directory (only availability can change). */
  readOnly: boolean;
  timezone: string;
  departments: DepartmentView[];
  agents: AgentView[];
}

/** GET /readyz (public): each dependency's state. */
export interface ReadyView {
  db: string;
  twilio: string;
  agent: string;
  agentKind?: string;
  redis: string;
  draining?: boolean;
  [dependency: string]: unknown;
}

/** One event of GET /events (SSE), as CallEvents publishes it. */
export type LiveEventBody =
  | { type: 'call.started'; from: string | null; to: string | null }
  | { type: 'call.status'; status: string }
  | { type: 'stream.started'; streamSid: string }
  | { type: 'stream.stopped'; streamSid: string; closeCode: number | null; reason: string }
  | { type: 'transcript'; role: 'caller' | 'agent'; text: string }
  | { type: 'recording'; recordingSid: string; status: string | null }
  | { type: 'agent'; name: string; detail?: Record<string, unknown> }
  | { type: 'lead.saved'; leadId: number; fields: Record<string, unknown> }
  | {
      type: 'call.timeline';
      kind: string;
      name: string;
      twilioCode: number | null;
      detail: Record<string, unknown> | null;
    }
  /** A transcription or analysis finished: the call's detail has new text. */
  | { type: 'job.done'; job: 'transcribe' | 'analyze'; recordingSid: string | null; field: string | null }
  | { type: 'call.ended' };

export type LiveEvent = LiveEventBody & { callSid: string; at: Iso; id?: string };

/** The JSON body of every API error. */
export interface ApiErrorBody {
  error: string;
  message: string;
}

/** GET /settings (admin): readiness, the TwiML host, the last stream errors; no secrets. */
export type { SettingsView };
