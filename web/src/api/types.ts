// The API's JSON as the dashboard reads it: the ONE place its shapes are named. Where the server
// exports them (src/api/) they are imported from there; the rest follow the documented contract
// (issue 18), dates as ISO strings, until their routes export theirs.

// The API's own (zod-inferred) shapes, type-only: nothing of the server reaches the bundle.
import type { ApiKeyView, UserView } from '../../../src/api/views.js';
import type { SettingsView } from '../../../src/api/settings-view.js';
import type {
  CallView,
  ContactView,
  EventView,
  LeadView,
  RecordingView,
  StreamView,
  TranscriptView,
} from '../../../src/api/crm-views.js';
import type { AgentView, DepartmentView } from '../../../src/routing/directory-view.js';

type Iso = string;

export type { ApiKeyView, UserView };
export type {
  AgentView,
  CallView,
  ContactView,
  DepartmentView,
  EventView,
  LeadView,
  RecordingView,
  StreamView,
  TranscriptView,
};
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
