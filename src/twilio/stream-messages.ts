// Twilio Media Streams wire format, both directions, pure (no I/O).
// Inbound = Twilio → our server; outbound = our server → Twilio (bidirectional <Connect><Stream>).
// Every outbound message is built here and always carries the stream's streamSid (31924/31951 otherwise).
import { z } from 'zod';
import { isBase64 } from '../base64.js';
import { digitsEnd, endsWithBrace, plainStringBefore, plainStringEnd } from '../json-scan.js';
import { CALL_SID, STREAM_SID } from './sids.js';

const seq = z.string().regex(/^\d+$/);

const connectedSchema = z.object({
  event: z.literal('connected'),
  protocol: z.string(),
  version: z.string(),
});

// The start frame's sids become the recording's file name: nothing but Twilio's form gets past.
const streamSid = z.string().regex(STREAM_SID, { message: 'must be MZ followed by 32 hex digits' });

const startSchema = z
  .object({
    event: z.literal('start'),
    sequenceNumber: seq,
    streamSid,
    start: z.object({
      accountSid: z.string().min(1),
      streamSid,
      callSid: z.string().regex(CALL_SID, { message: 'must be CA followed by 32 hex digits' }),
      tracks: z.array(z.string()),
      customParameters: z.record(z.string(), z.string()).default({}),
      mediaFormat: z.object({
        encoding: z.string(),
        sampleRate: z.number(),
        channels: z.number(),
      }),
    }),
  })
  .refine((m) => m.streamSid === m.start.streamSid, {
    message: 'the two streamSids differ',
    path: ['streamSid'],
  });

const dtmfSchema = z.object({
  event: z.literal('dtmf'),
  sequenceNumber: seq,
  streamSid: z.string().min(1),
  dtmf: z.object({ track: z.string(), digit: z.string().regex(/^[0-9*#A-Da-dw]$/) }),
});

const stopSchema = z.object({
  event: z.literal('stop'),
  sequenceNumber: seq,
  streamSid: z.string().min(1),
  stop: z.object({ accountSid: z.string(), callSid: z.string() }),
});

export type ConnectedMessage = z.infer<typeof connectedSchema>;
export type StartMessage = z.infer<typeof startSchema>;
export type DtmfMessage = z.infer<typeof dtmfSchema>;
export type StopMessage = z.infer<typeof stopSchema>;
export interface MarkMessage {
  event: 'mark';
  sequenceNumber: string;
  streamSid: string;
  mark: { name: string };
}
export interface MediaMessage {
  event: 'media';
  sequenceNumber: string;
  streamSid: string;
  media: { track: string; chunk: string; timestamp: string; payload: string };
}

export type InboundMessage =
  ConnectedMessage | StartMessage | MediaMessage | DtmfMessage | MarkMessage | StopMessage;

/** A failure names the frame's event when it had a known one (a bad `start` ends the stream). */
export type ParseResult<T> =
  { ok: true; message: T } | { ok: false; reason: string; event?: InboundMessage['event'] };

/**
 * Media frames arrive 50 times a second per call, so they get a hand-written check instead of a
 * schema walk; every other event is rare and goes through zod.
 */
function parseMedia(value: Record<string, unknown>): ParseResult<MediaMessage> {
  const media = value.media as Record<string, unknown> | undefined;
  if (
    typeof value.streamSid !== 'string' ||
    typeof value.sequenceNumber !== 'string' ||
    !media ||
    typeof media !== 'object' ||
    typeof media.payload !== 'string' ||
    typeof media.track !== 'string' ||
    typeof media.chunk !== 'string' ||
    typeof media.timestamp !== 'string'
  ) {
    return { ok: false, reason: 'media frame is missing streamSid, sequenceNumber or media fields' };
  }
  if (!isBase64(media.payload)) {
    return { ok: false, reason: 'media payload is not base64' };
  }
  return { ok: true, message: value as unknown as MediaMessage };
}

const SEQUENCE = /^\d+$/;

/** Marks come back ~10 times a second per call (one per 100 ms of agent audio): no schema walk either. */
function parseMark(value: Record<string, unknown>): ParseResult<MarkMessage> {
  const mark = value.mark as Record<string, unknown> | undefined;
  if (
    typeof value.streamSid !== 'string' ||
    value.streamSid === '' ||
    typeof value.sequenceNumber !== 'string' ||
    !SEQUENCE.test(value.sequenceNumber) ||
    !mark ||
    typeof mark !== 'object' ||
    typeof mark.name !== 'string'
  ) {
    return { ok: false, reason: 'bad mark frame: missing streamSid, sequenceNumber or mark.name' };
  }
  return { ok: true, message: value as unknown as MarkMessage };
}

// Twilio's media frame, field for field as Twilio writes it (and the emulator after it):
// {"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"20",
//  "payload":"…"},"streamSid":"MZ…"}
const MEDIA_OPEN = '{"event":"media","sequenceNumber":"';
const MEDIA_TRACK = '","media":{"track":"';
const MEDIA_CHUNK = '","chunk":"';
const MEDIA_TIMESTAMP = '","timestamp":"';
const MEDIA_PAYLOAD = '","payload":"';
const MEDIA_STREAM_SID = '"},"streamSid":"';

/**
 * A media frame in exactly that shape, read without JSON.parse (src/json-scan.ts says why): the
 * same object JSON.parse would build, and parseMedia's checks passed. Anything else: undefined.
 */
export function scanMedia(text: string): MediaMessage | undefined {
  if (!text.startsWith(MEDIA_OPEN)) return undefined;
  let at = MEDIA_OPEN.length;
  let end = plainStringBefore(text, at, MEDIA_TRACK);
  if (end < 0) return undefined;
  const sequenceNumber = text.slice(at, end);
  at = end + MEDIA_TRACK.length;
  end = plainStringBefore(text, at, MEDIA_CHUNK);
  if (end < 0) return undefined;
  const track = text.slice(at, end);
  at = end + MEDIA_CHUNK.length;
  end = plainStringBefore(text, at, MEDIA_TIMESTAMP);
  if (end < 0) return undefined;
  const chunk = text.slice(at, end);
  at = end + MEDIA_TIMESTAMP.length;
  end = plainStringBefore(text, at, MEDIA_PAYLOAD);
  if (end < 0) return undefined;
  const timestamp = text.slice(at, end);
  at = end + MEDIA_PAYLOAD.length;
  // The payload's own alphabet rules out escapes and control characters.
  end = text.indexOf('"', at);
  if (end < 0 || !text.startsWith(MEDIA_STREAM_SID, end)) return undefined;
  const payload = text.slice(at, end);
  if (!isBase64(payload)) return undefined;
  at = end + MEDIA_STREAM_SID.length;
  end = plainStringEnd(text, at);
  if (end < 0 || !endsWithBrace(text, end + 1)) return undefined;
  const streamSid = text.slice(at, end);
  return { event: 'media', sequenceNumber, media: { track, chunk, timestamp, payload }, streamSid };
}

// An echoed mark, as Twilio writes it:
// {"event":"mark","sequenceNumber":"4","streamSid":"MZ…","mark":{"name":"…"}}
const MARK_OPEN = '{"event":"mark","sequenceNumber":"';
const MARK_STREAM_SID = '","streamSid":"';
const MARK_NAME = '","mark":{"name":"';

/** An echoed mark in exactly that shape, as JSON.parse and parseMark would give it; else undefined. */
export function scanMark(text: string): MarkMessage | undefined {
  if (!text.startsWith(MARK_OPEN)) return undefined;
  let at = MARK_OPEN.length;
  let end = digitsEnd(text, at);
  if (end === at || !text.startsWith(MARK_STREAM_SID, end)) return undefined;
  const sequenceNumber = text.slice(at, end);
  at = end + MARK_STREAM_SID.length;
  end = plainStringBefore(text, at, MARK_NAME);
  if (end <= at) return undefined; // an empty streamSid too
  const streamSid = text.slice(at, end);
  at = end + MARK_NAME.length;
  end = plainStringEnd(text, at);
  // The name closes, then the mark object, then the frame.
  if (end < 0 || text.charCodeAt(end + 1) !== 0x7d || !endsWithBrace(text, end + 2)) return undefined;
  return { event: 'mark', sequenceNumber, streamSid, mark: { name: text.slice(at, end) } };
}

const schemas = {
  connected: connectedSchema,
  start: startSchema,
  dtmf: dtmfSchema,
  stop: stopSchema,
} as const;

/** Parses one text frame from Twilio. Never throws. */
export function parseInbound(text: string): ParseResult<InboundMessage> {
  const scanned = scanMedia(text) ?? scanMark(text);
  if (scanned) return { ok: true, message: scanned };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'frame is not a JSON object' };
  }
  const record = value as Record<string, unknown>;
  const event = record.event;
  if (event === 'media') return parseMedia(record);
  if (event === 'mark') return parseMark(record);
  // Own keys only: `"event":"toString"` must not reach Object.prototype.toString.
  if (typeof event !== 'string' || !Object.hasOwn(schemas, event)) {
    return { ok: false, reason: `unknown event ${JSON.stringify(event)}` };
  }
  const parsed = schemas[event as keyof typeof schemas].safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `bad ${event} frame: ${issue?.path.join('.')} ${issue?.message}`,
      event: event as keyof typeof schemas,
    };
  }
  return { ok: true, message: parsed.data as InboundMessage };
}

// ---- outbound: our server → Twilio -------------------------------------------------------------

/** `payload` is base64 μ-law/8000 with no file header. */
export function encodeMedia(streamSid: string, payload: string): string {
  const { head, tail } = mediaFrameParts(streamSid);
  return `${head}${payload}${tail}`;
}

/** A media frame of one stream is head + payload + tail (a call sends up to 50 a second). */
export function mediaFrameParts(streamSid: string): { head: string; tail: string } {
  return {
    head: `{"event":"media","streamSid":${JSON.stringify(streamSid)},"media":{"payload":"`,
    tail: '"}}',
  };
}

/** encodeMark for one stream, its constant part built once. */
export function markEncoder(streamSid: string): (name: string) => string {
  const head = `{"event":"mark","streamSid":${JSON.stringify(streamSid)},"mark":{"name":`;
  return (name) => `${head}${JSON.stringify(name)}}}`;
}

export function encodeMark(streamSid: string, name: string): string {
  return markEncoder(streamSid)(name);
}

export function encodeClear(streamSid: string): string {
  return JSON.stringify({ event: 'clear', streamSid });
}

// Strict schemas of what Twilio accepts from us: the emulator uses them to flag what Twilio would
// reject (an extra or missing field is a 31951, like a wrong streamSid).
const outMediaSchema = z.strictObject({
  event: z.literal('media'),
  streamSid: z.string(),
  media: z.strictObject({ payload: z.string().refine(isBase64, 'not base64') }),
});
const outMarkSchema = z.strictObject({
  event: z.literal('mark'),
  streamSid: z.string(),
  mark: z.strictObject({ name: z.string() }),
});
const outClearSchema = z.strictObject({ event: z.literal('clear'), streamSid: z.string() });

export type OutboundMessage =
  z.infer<typeof outMediaSchema> | z.infer<typeof outMarkSchema> | z.infer<typeof outClearSchema>;

/** Parses a frame our server sent, as Twilio would judge it. Never throws. */
export function parseOutbound(text: string): ParseResult<OutboundMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  const event = (value as { event?: unknown } | null)?.event;
  const schema =
    event === 'media'
      ? outMediaSchema
      : event === 'mark'
        ? outMarkSchema
        : event === 'clear'
          ? outClearSchema
          : null;
  if (!schema) return { ok: false, reason: `unknown outbound event ${JSON.stringify(event)}` };
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `bad ${String(event)} frame: ${issue?.path.join('.')} ${issue?.message}` };
  }
  return { ok: true, message: parsed.data };
}

// ---- inbound encoders: used by the emulator to speak as Twilio --------------------------------

export function encodeConnected(): string {
  return JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' });
}

export function encodeStart(args: {
  sequenceNumber: number;
  accountSid: string;
  streamSid: string;
  callSid: string;
  customParameters: Record<string, string>;
}): string {
  return JSON.stringify({
    event: 'start',
    sequenceNumber: String(args.sequenceNumber),
    start: {
      accountSid: args.accountSid,
      streamSid: args.streamSid,
      callSid: args.callSid,
      tracks: ['inbound'],
      customParameters: args.customParameters,
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
    streamSid: args.streamSid,
  });
}

export function encodeInboundMedia(args: {
  sequenceNumber: number;
  streamSid: string;
  chunk: number;
  timestampMs: number;
  payload: string;
}): string {
  return (
    `{"event":"media","sequenceNumber":"${args.sequenceNumber}","media":{"track":"inbound",` +
    `"chunk":"${args.chunk}","timestamp":"${args.timestampMs}","payload":"${args.payload}"},` +
    `"streamSid":${JSON.stringify(args.streamSid)}}`
  );
}

export function encodeDtmf(args: { sequenceNumber: number; streamSid: string; digit: string }): string {
  return JSON.stringify({
    event: 'dtmf',
    streamSid: args.streamSid,
    sequenceNumber: String(args.sequenceNumber),
    dtmf: { track: 'inbound_track', digit: args.digit },
  });
}

export function encodeInboundMark(args: { sequenceNumber: number; streamSid: string; name: string }): string {
  return JSON.stringify({
    event: 'mark',
    sequenceNumber: String(args.sequenceNumber),
    streamSid: args.streamSid,
    mark: { name: args.name },
  });
}

export function encodeStop(args: {
  sequenceNumber: number;
  streamSid: string;
  accountSid: string;
  callSid: string;
}): string {
  return JSON.stringify({
    event: 'stop',
    sequenceNumber: String(args.sequenceNumber),
    stop: { accountSid: args.accountSid, callSid: args.callSid },
    streamSid: args.streamSid,
  });
}
