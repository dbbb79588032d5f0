// Realtime server events, parsed at the edge with zod. The GA names are the canonical ones; the
// older beta names (response.audio.delta, conversation.item.created, …) are mapped onto them.
// Events we do not act on parse as `ignored` so the caller can log them at debug level.
import { z } from 'zod';
import { isBase64 } from '../../base64.js';
import { endsWithBrace, plainStringBefore, smallIntegerEnd } from '../../json-scan.js';

const id = z.string().min(1);
const looseObject = z.object({}).passthrough();

/** One output item of a response (message or function call); only the fields we read. */
const outputItem = z
  .object({
    id: z.string().optional(),
    type: z.string().optional(),
    role: z.string().optional(),
    name: z.string().optional(),
    call_id: z.string().optional(),
    arguments: z.string().optional(),
    content: z
      .array(
        z
          .object({
            type: z.string().optional(),
            text: z.string().optional(),
            transcript: z.string().optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

const response = z
  .object({
    id: id,
    status: z.string().optional(),
    status_details: z
      .object({
        type: z.string().optional(),
        reason: z.string().optional(),
        error: z.object({ type: z.string().optional(), code: z.string().optional() }).passthrough().nullish(),
      })
      .passthrough()
      .nullish(),
    output: z.array(outputItem).optional(),
    metadata: z.record(z.string(), z.string()).nullish(),
    conversation_id: z.string().nullish(),
  })
  .passthrough();

const schemas = {
  'session.created': z.object({ type: z.literal('session.created'), session: looseObject }),
  'session.updated': z.object({ type: z.literal('session.updated'), session: looseObject }),
  error: z.object({
    type: z.literal('error'),
    error: z
      .object({
        type: z.string().optional(),
        code: z.string().nullish(),
        message: z.string().optional(),
        event_id: z.string().nullish(),
      })
      .passthrough(),
  }),
  'input_audio_buffer.speech_started': z.object({
    type: z.literal('input_audio_buffer.speech_started'),
    audio_start_ms: z.number().nonnegative().optional(),
    item_id: z.string().optional(),
  }),
  'input_audio_buffer.speech_stopped': z.object({
    type: z.literal('input_audio_buffer.speech_stopped'),
    audio_end_ms: z.number().nonnegative().optional(),
    item_id: z.string().optional(),
  }),
  'input_audio_buffer.committed': z.object({
    type: z.literal('input_audio_buffer.committed'),
    item_id: z.string().optional(),
  }),
  'conversation.item.input_audio_transcription.completed': z.object({
    type: z.literal('conversation.item.input_audio_transcription.completed'),
    item_id: id,
    transcript: z.string(),
  }),
  'conversation.item.truncated': z.object({
    type: z.literal('conversation.item.truncated'),
    item_id: id,
    audio_end_ms: z.number(),
  }),
  'response.created': z.object({ type: z.literal('response.created'), response }),
  'response.done': z.object({ type: z.literal('response.done'), response }),
  'response.output_audio.delta': z.object({
    type: z.literal('response.output_audio.delta'),
    response_id: id,
    item_id: id,
    content_index: z.number().int().nonnegative().default(0),
    // Pasted unescaped into the media frames sent to Twilio: it must be base64, nothing else.
    delta: z.string().refine(isBase64, 'not base64'),
  }),
  'response.output_audio_transcript.done': z.object({
    type: z.literal('response.output_audio_transcript.done'),
    response_id: z.string().optional(),
    item_id: id,
    transcript: z.string(),
  }),
  'response.output_text.done': z.object({
    type: z.literal('response.output_text.done'),
    response_id: z.string().optional(),
    item_id: z.string().optional(),
    text: z.string(),
  }),
  'response.function_call_arguments.done': z.object({
    type: z.literal('response.function_call_arguments.done'),
    response_id: id,
    item_id: z.string().optional(),
    call_id: id,
    name: z.string().min(1),
    arguments: z.string(),
  }),
} as const;

type Schemas = typeof schemas;
export type KnownEventType = keyof Schemas;
export type ServerEvent = { [K in KnownEventType]: z.output<Schemas[K]> }[KnownEventType];
export type EventOf<K extends KnownEventType> = z.output<Schemas[K]>;
export type RealtimeResponse = z.output<typeof response>;

/** Beta names → GA names. */
const ALIASES: Readonly<Record<string, KnownEventType>> = {
  'response.audio.delta': 'response.output_audio.delta',
  'response.audio_transcript.done': 'response.output_audio_transcript.done',
  'response.text.done': 'response.output_text.done',
};

export type ParsedServerEvent =
  | { ok: true; event: ServerEvent }
  | { ok: false; ignored: true; type: string }
  | { ok: false; ignored: false; reason: string };

/**
 * Audio deltas come fifty times a second: checked by hand, as the schema would (undefined sends
 * the event through the schema, for its error message).
 */
function audioDelta(r: Record<string, unknown>): EventOf<'response.output_audio.delta'> | undefined {
  const { response_id, item_id, delta } = r;
  const contentIndex = r.content_index === undefined ? 0 : r.content_index;
  if (
    typeof response_id !== 'string' ||
    response_id === '' ||
    typeof item_id !== 'string' ||
    item_id === '' ||
    typeof delta !== 'string' ||
    !isBase64(delta) ||
    !Number.isSafeInteger(contentIndex) ||
    (contentIndex as number) < 0
  ) {
    return undefined;
  }
  // The parsed object itself (no copy per delta): only content_index may need its default.
  if (r.content_index === undefined) r.content_index = 0;
  return r as unknown as EventOf<'response.output_audio.delta'>;
}

// An audio delta, field for field as the Realtime API writes it (GA or beta name):
// {"type":"response.output_audio.delta","event_id":"event_…","response_id":"resp_…",
//  "item_id":"item_…","output_index":0,"content_index":0,"delta":"…"}
const DELTA_OPEN_GA = '{"type":"response.output_audio.delta","event_id":"';
const DELTA_OPEN_BETA = '{"type":"response.audio.delta","event_id":"';
const DELTA_RESPONSE_ID = '","response_id":"';
const DELTA_ITEM_ID = '","item_id":"';
const DELTA_OUTPUT_INDEX = '","output_index":';
const DELTA_CONTENT_INDEX = ',"content_index":';
const DELTA_AUDIO = ',"delta":"';

/** The digits text[from, end) as a number (smallIntegerEnd found them). */
function integerAt(text: string, from: number, end: number): number {
  let n = 0;
  for (let i = from; i < end; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

/**
 * An audio delta in exactly that shape, read without JSON.parse (src/json-scan.ts says why): the
 * object JSON.parse would build, type under its GA name, audioDelta's checks passed. Anything
 * else: undefined.
 */
export function scanAudioDelta(text: string): EventOf<'response.output_audio.delta'> | undefined {
  let at: number;
  if (text.startsWith(DELTA_OPEN_GA)) at = DELTA_OPEN_GA.length;
  else if (text.startsWith(DELTA_OPEN_BETA)) at = DELTA_OPEN_BETA.length;
  else return undefined;
  let end = plainStringBefore(text, at, DELTA_RESPONSE_ID);
  if (end < 0) return undefined;
  const eventId = text.slice(at, end);
  at = end + DELTA_RESPONSE_ID.length;
  end = plainStringBefore(text, at, DELTA_ITEM_ID);
  if (end <= at) return undefined; // an empty response_id too
  const responseId = text.slice(at, end);
  at = end + DELTA_ITEM_ID.length;
  end = plainStringBefore(text, at, DELTA_OUTPUT_INDEX);
  if (end <= at) return undefined; // an empty item_id too
  const itemId = text.slice(at, end);
  at = end + DELTA_OUTPUT_INDEX.length;
  end = smallIntegerEnd(text, at);
  if (end < 0 || !text.startsWith(DELTA_CONTENT_INDEX, end)) return undefined;
  const outputIndex = integerAt(text, at, end);
  at = end + DELTA_CONTENT_INDEX.length;
  end = smallIntegerEnd(text, at);
  if (end < 0 || !text.startsWith(DELTA_AUDIO, end)) return undefined;
  const contentIndex = integerAt(text, at, end);
  at = end + DELTA_AUDIO.length;
  // The audio's own alphabet rules out escapes and control characters.
  end = text.indexOf('"', at);
  if (end < 0 || !endsWithBrace(text, end + 1)) return undefined;
  const delta = text.slice(at, end);
  if (!isBase64(delta)) return undefined;
  // Checked against the event's type without a cast; event_id and output_index ride along, as
  // they do on the JSON.parse path.
  const event = {
    type: 'response.output_audio.delta' as const,
    event_id: eventId,
    response_id: responseId,
    item_id: itemId,
    output_index: outputIndex,
    content_index: contentIndex,
    delta,
  };
  return event;
}

export function parseServerEvent(raw: string): ParsedServerEvent {
  const delta = scanAudioDelta(raw);
  if (delta) return { ok: true, event: delta };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, ignored: false, reason: 'not JSON' };
  }
  if (!data || typeof data !== 'object' || typeof (data as { type?: unknown }).type !== 'string') {
    return { ok: false, ignored: false, reason: 'no event type' };
  }
  const record = data as Record<string, unknown> & { type: string };
  const alias = ALIASES[record.type];
  if (alias) record.type = alias;
  if (record.type === 'response.output_audio.delta') {
    const delta = audioDelta(record);
    if (delta) return { ok: true, event: delta };
  }
  const schema = (schemas as Record<string, z.ZodType>)[record.type];
  if (!schema) return { ok: false, ignored: true, type: record.type };
  const parsed = schema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      ignored: false,
      reason: `${record.type}: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`,
    };
  }
  return { ok: true, event: parsed.data as ServerEvent };
}

/** Text the model produced in a response (text-only output, or the transcript of audio output). */
export function responseText(r: RealtimeResponse): string {
  const parts: string[] = [];
  for (const item of r.output ?? []) {
    if (item.type !== 'message') continue;
    for (const c of item.content ?? []) {
      if (typeof c.text === 'string') parts.push(c.text);
      else if (typeof c.transcript === 'string') parts.push(c.transcript);
    }
  }
  return parts.join('');
}
