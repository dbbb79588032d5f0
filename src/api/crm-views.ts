// The JSON the CRM API answers with, one function per record: the public shape (zod, for the
// OpenAPI document and the dashboard's types), decoupled from the store's records (no account
// sids or stream-claim internals; recordings carry our audio URL, never a file path or Twilio's).
import { z } from 'zod';
import {
  CALL_RESULTS,
  LEAD_STATUSES,
  type CallResult,
  type CrmCall,
  type CrmContact,
  type CrmLead,
  type LeadStatus,
} from '../store/crm-store.js';
import type { CallEvent, RecordingRecord, StreamRecord, TranscriptTurn } from '../store/store.js';
import { CALL_STATUSES } from '../twilio/call-status.js';

/** Where the CRM routes are mounted; URLs inside responses are built on it. */
export const API_PREFIX = '/api/v1';

const at = z.iso.datetime();
// The store's lists as zod enums (a non-empty tuple), so the views keep their literal unions.
const callResult = z.enum(CALL_RESULTS as [CallResult, ...CallResult[]]);
const leadStatus = z.enum(LEAD_STATUSES as [LeadStatus, ...LeadStatus[]]);
const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export const callViewSchema = z.object({
  callSid: z.string(),
  from: z.string().nullable().describe('E.164 as Twilio sent it'),
  to: z.string().nullable(),
  direction: z.string().nullable(),
  status: z.enum(CALL_STATUSES),
  outcome: callResult.describe('live | voicemail | transferred | answered | abandoned'),
  outcomeDetail: z.string().nullable().describe('what the agent noted, e.g. "transferred: sales"'),
  startedAt: at,
  answeredAt: at.nullable(),
  endedAt: at.nullable(),
  durationSec: z.number().nullable(),
  contactId: z.number().int().nullable(),
  contactName: z.string().nullable(),
  agentId: z.string().nullable(),
  test: z.boolean().describe('placed from the dashboard as a test call'),
  summary: z.string().nullable(),
  lead: z.object({ id: z.number().int(), status: leadStatus.nullable() }).nullable(),
});
export type CallView = z.infer<typeof callViewSchema>;

export function callView(c: CrmCall): CallView {
  return {
    callSid: c.callSid,
    from: c.fromNumber,
    to: c.toNumber,
    direction: c.direction,
    status: c.status,
    outcome: c.result,
    outcomeDetail: c.outcome,
    startedAt: iso(c.startedAt),
    answeredAt: isoOrNull(c.answeredAt),
    endedAt: isoOrNull(c.endedAt),
    durationSec: c.durationSec,
    contactId: c.contactId,
    contactName: c.contactName,
    agentId: c.agentId,
    test: c.isTest,
    summary: c.summary,
    lead: c.leadId === null ? null : { id: c.leadId, status: c.leadStatus },
  };
}

export const contactViewSchema = z.object({
  id: z.number().int(),
  phone: z.string(),
  name: z.string().nullable(),
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: at,
  callCount: z.number().int(),
  lastCallAt: at.nullable(),
});
export type ContactView = z.infer<typeof contactViewSchema>;

export function contactView(c: CrmContact): ContactView {
  return {
    id: c.id,
    phone: c.phone,
    name: c.name,
    notes: c.notes,
    tags: c.tags,
    createdAt: iso(c.createdAt),
    callCount: c.callCount,
    lastCallAt: isoOrNull(c.lastCallAt),
  };
}

export const leadViewSchema = z.object({
  id: z.number().int(),
  callSid: z.string(),
  status: leadStatus,
  assignee: z.string().nullable(),
  notes: z.string().nullable(),
  fields: z.record(z.string(), z.unknown()).describe('what the agent collected: name, need, callback time…'),
  contact: z
    .object({ id: z.number().int(), phone: z.string().nullable(), name: z.string().nullable() })
    .nullable(),
  createdAt: at,
  updatedAt: at,
});
export type LeadView = z.infer<typeof leadViewSchema>;

export function leadView(l: CrmLead): LeadView {
  return {
    id: l.id,
    callSid: l.callSid,
    status: l.status,
    assignee: l.assignee,
    notes: l.notes,
    fields: l.fields,
    contact: l.contactId === null ? null : { id: l.contactId, phone: l.contactPhone, name: l.contactName },
    createdAt: iso(l.createdAt),
    updatedAt: iso(l.updatedAt),
  };
}

export function recordingAudioUrl(recordingSid: string): string {
  return `${API_PREFIX}/recordings/${recordingSid}/audio`;
}

export const recordingViewSchema = z.object({
  recordingSid: z.string(),
  source: z.string().describe('voicemail | call-audio | answer'),
  status: z.string().nullable(),
  durationSec: z.number().nullable(),
  createdAt: at,
  audioUrl: z.string().describe("this API's URL of the audio (Range requests supported)"),
  transcript: z
    .string()
    .optional()
    .describe('the text of a voicemail or answer clip, once transcribed (TRANSCRIBE_URL)'),
});
export type RecordingView = z.infer<typeof recordingViewSchema>;

export function recordingView(r: RecordingRecord): RecordingView {
  return {
    recordingSid: r.recordingSid,
    source: r.source,
    status: r.status,
    durationSec: r.durationSec,
    createdAt: iso(r.createdAt),
    audioUrl: recordingAudioUrl(r.recordingSid),
    // A voicemail's or answer's text, once transcribed (TRANSCRIBE_URL).
    ...(r.transcript !== undefined ? { transcript: r.transcript } : {}),
  };
}

export const eventViewSchema = z.object({
  id: z.number().int(),
  kind: z.string().describe('status, stream, stream-error, transfer, agent, dashboard…'),
  name: z.string(),
  twilioCode: z.number().int().nullable().describe('the Twilio error code of a stream error (31920…)'),
  detail: z.record(z.string(), z.unknown()).nullable(),
  at,
});
export type EventView = z.infer<typeof eventViewSchema>;

export function eventView(e: CallEvent): EventView {
  return { id: e.id, kind: e.kind, name: e.name, twilioCode: e.twilioCode, detail: e.detail, at: iso(e.at) };
}

export const streamViewSchema = z.object({
  streamSid: z.string(),
  startedAt: at,
  endedAt: at.nullable(),
  framesIn: z.number().int(),
  framesOut: z.number().int(),
  marksOut: z.number().int(),
  marksAcked: z.number().int(),
  badFrames: z.number().int(),
  closeCode: z.number().int().nullable(),
  closeReason: z.string().nullable(),
});
export type StreamView = z.infer<typeof streamViewSchema>;

export function streamView(s: StreamRecord): StreamView {
  return {
    streamSid: s.streamSid,
    startedAt: iso(s.startedAt),
    endedAt: isoOrNull(s.endedAt),
    framesIn: s.framesIn,
    framesOut: s.framesOut,
    marksOut: s.marksOut,
    marksAcked: s.marksAcked,
    badFrames: s.badFrames,
    closeCode: s.closeCode,
    closeReason: s.closeReason,
  };
}

export const transcriptViewSchema = z.object({
  role: z.enum(['caller', 'agent']),
  text: z.string(),
  startMs: z.number().nullable(),
  endMs: z.number().nullable(),
  at,
});
export type TranscriptView = z.infer<typeof transcriptViewSchema>;

export function transcriptView(t: TranscriptTurn): TranscriptView {
  return { role: t.role, text: t.text, startMs: t.startMs ?? null, endMs: t.endMs ?? null, at: iso(t.at) };
}

/** A page of a list: `nextCursor` is opaque; send it back as `cursor` for the next page. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
