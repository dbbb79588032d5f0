// The JSON the CRM API answers with, one function per record: the public shape, decoupled from
// the store's records (no account sids or stream-claim internals; recordings carry our audio URL,
// never a file path or Twilio's URL).
import type { CrmCall, CrmContact, CrmLead } from '../store/crm-store.js';
import type { CallEvent, RecordingRecord, StreamRecord, TranscriptTurn } from '../store/store.js';

/** Where the CRM routes are mounted; URLs inside responses are built on it. */
export const API_PREFIX = '/api/v1';

export function callView(c: CrmCall) {
  return {
    callSid: c.callSid,
    from: c.fromNumber,
    to: c.toNumber,
    direction: c.direction,
    status: c.status,
    /** live | voicemail | transferred | answered | abandoned */
    outcome: c.result,
    /** What the agent noted, e.g. "transferred: sales". */
    outcomeDetail: c.outcome,
    startedAt: c.startedAt,
    answeredAt: c.answeredAt,
    endedAt: c.endedAt,
    durationSec: c.durationSec,
    contactId: c.contactId,
    contactName: c.contactName,
    agentId: c.agentId,
    test: c.isTest,
    summary: c.summary,
    lead: c.leadId === null ? null : { id: c.leadId, status: c.leadStatus },
  };
}

export function contactView(c: CrmContact) {
  return {
    id: c.id,
    phone: c.phone,
    name: c.name,
    notes: c.notes,
    tags: c.tags,
    createdAt: c.createdAt,
    callCount: c.callCount,
    lastCallAt: c.lastCallAt,
  };
}

export function leadView(l: CrmLead) {
  return {
    id: l.id,
    callSid: l.callSid,
    status: l.status,
    assignee: l.assignee,
    notes: l.notes,
    fields: l.fields,
    contact: l.contactId === null ? null : { id: l.contactId, phone: l.contactPhone, name: l.contactName },
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
  };
}

export function recordingAudioUrl(recordingSid: string): string {
  return `${API_PREFIX}/recordings/${recordingSid}/audio`;
}

export function recordingView(r: RecordingRecord) {
  return {
    recordingSid: r.recordingSid,
    /** voicemail | call-audio | answer */
    source: r.source,
    status: r.status,
    durationSec: r.durationSec,
    createdAt: r.createdAt,
    audioUrl: recordingAudioUrl(r.recordingSid),
    // A voicemail's or answer's text, once transcribed (TRANSCRIBE_URL).
    ...(r.transcript !== undefined ? { transcript: r.transcript } : {}),
  };
}

export function eventView(e: CallEvent) {
  return { id: e.id, kind: e.kind, name: e.name, twilioCode: e.twilioCode, detail: e.detail, at: e.at };
}

export function streamView(s: StreamRecord) {
  return {
    streamSid: s.streamSid,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    framesIn: s.framesIn,
    framesOut: s.framesOut,
    marksOut: s.marksOut,
    marksAcked: s.marksAcked,
    badFrames: s.badFrames,
    closeCode: s.closeCode,
    closeReason: s.closeReason,
  };
}

export function transcriptView(t: TranscriptTurn) {
  return { role: t.role, text: t.text, startMs: t.startMs, endMs: t.endMs, at: t.at };
}
