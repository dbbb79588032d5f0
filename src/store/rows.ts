// Converts between the interface's values (Dates, objects) and the columns (epoch ms, JSON text),
// and maps selected rows to the Store's records.
import type { Selectable } from 'kysely';
import { AppError } from '../errors.js';
import type {
  CallsTable,
  CallEventsTable,
  ContactsTable,
  LeadsTable,
  RecordingsTable,
  StreamsTable,
  TranscriptTurnsTable,
} from './schema.js';
import type {
  CallEvent,
  CallRecord,
  CallStatus,
  Contact,
  LeadRecord,
  RecordingRecord,
  StreamRecord,
  TranscriptTurn,
} from './store.js';

/** Epoch ms of a Date; an invalid Date is a caller's bug and must not become a NULL or NaN row. */
export function toMs(date: Date, field: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new AppError('INTERNAL', `store: ${field} is not a valid Date`);
  return ms;
}

/** A whole number for an INTEGER/BIGINT column, or null; rejects NaN, fractions and unsafe values. */
export function toInt(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isSafeInteger(value))
    throw new AppError('INTERNAL', `store: ${field} must be a whole number (got ${value})`);
  return value;
}

export function toJson(value: Record<string, unknown>, field: string): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new AppError('INTERNAL', `store: ${field} is not JSON-serialisable`, { cause: err });
  }
}

/** Parses a stored JSON object; a corrupt cell reads as a marked object rather than failing the whole list. */
export function fromJson(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
    return { value };
  } catch {
    return { unparsed: text };
  }
}

const num = (v: number | string): number => Number(v);
const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));
const date = (v: number | string): Date => new Date(Number(v));
const dateOrNull = (v: number | string | null): Date | null => (v === null ? null : new Date(Number(v)));

export function toContact(r: Selectable<ContactsTable>): Contact {
  return { id: num(r.id), phone: r.phone, name: r.name, createdAt: date(r.created_at) };
}

export function toCall(r: Selectable<CallsTable>): CallRecord {
  return {
    callSid: r.call_sid,
    accountSid: r.account_sid,
    fromNumber: r.from_number,
    toNumber: r.to_number,
    contactId: numOrNull(r.contact_id),
    direction: r.direction,
    status: r.status as CallStatus, // the column's CHECK admits only CallStatus values
    statusSeq: num(r.status_seq),
    startedAt: date(r.started_at),
    answeredAt: dateOrNull(r.answered_at),
    endedAt: dateOrNull(r.ended_at),
    durationSec: numOrNull(r.duration_sec),
    outcome: r.outcome,
    summary: r.summary,
    streamClaimedAt: dateOrNull(r.stream_claimed_at),
  };
}

export function toCallEvent(r: Selectable<CallEventsTable>): CallEvent {
  return {
    id: num(r.id),
    callSid: r.call_sid,
    kind: r.kind,
    name: r.name,
    twilioCode: numOrNull(r.twilio_code),
    detail: fromJson(r.detail),
    at: date(r.at),
  };
}

export function toStream(r: Selectable<StreamsTable>): StreamRecord {
  return {
    streamSid: r.stream_sid,
    callSid: r.call_sid,
    startedAt: date(r.started_at),
    endedAt: dateOrNull(r.ended_at),
    framesIn: num(r.frames_in),
    bytesIn: num(r.bytes_in),
    framesOut: num(r.frames_out),
    bytesOut: num(r.bytes_out),
    marksOut: num(r.marks_out),
    marksAcked: num(r.marks_acked),
    badFrames: num(r.bad_frames),
    closeCode: numOrNull(r.close_code),
    closeReason: r.close_reason,
  };
}

export function toRecording(r: Selectable<RecordingsTable>): RecordingRecord {
  return {
    recordingSid: r.recording_sid,
    callSid: r.call_sid,
    url: r.url,
    durationSec: numOrNull(r.duration_sec),
    status: r.status,
    source: r.source,
    // `at` is the input's event time; for a stored row the latest update is the meaningful one.
    at: date(r.updated_at),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    // Present once a transcription job made it, so records without one keep their old shape.
    ...(r.transcript != null ? { transcript: r.transcript } : {}),
  };
}

export function toTranscriptTurn(r: Selectable<TranscriptTurnsTable>): TranscriptTurn {
  return {
    id: num(r.id),
    callSid: r.call_sid,
    role: r.role as TranscriptTurn['role'], // CHECK-constrained
    text: r.text,
    startMs: numOrNull(r.start_ms),
    endMs: numOrNull(r.end_ms),
    at: date(r.at),
  };
}

export function toLead(r: Selectable<LeadsTable>): LeadRecord {
  return {
    id: num(r.id),
    callSid: r.call_sid,
    contactId: numOrNull(r.contact_id),
    fields: fromJson(r.fields) ?? {},
    status: r.status as LeadRecord['status'], // CHECK-constrained
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

/** PostgreSQL TEXT cannot hold U+0000; strip it on both dialects so they store the same text. */
export function cleanText(value: string): string;
export function cleanText(value: string | null | undefined): string | null;
export function cleanText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new AppError('INTERNAL', 'store: expected a string');
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}
