// Realtime server events, parsed at the edge with zod. The GA names are the canonical ones; the
// older beta names (response.audio.delta, conversation.item.created, …) are mapped onto them.
// Events we do not act on parse as `ignored` so the caller can log them at debug level.
import { z } from 'zod';
import { isBase64 } from '../../base64.js';

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

export function parseServerEvent(raw: string): ParsedServerEvent {
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
