// Client events we send, as JSON text, in the GA shape by default and the beta shape on request.
// Audio is always G.711 μ-law 8 kHz both ways (`audio/pcmu` / `g711_ulaw`): no transcoding.
import { frameWrap, type WrappedText } from '../../ws/text-frames.js';
import type { RealtimeProtocol } from './endpoint.js';

export interface FunctionToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export type TurnDetection =
  | {
      type: 'server_vad';
      threshold?: number;
      prefix_padding_ms?: number;
      silence_duration_ms?: number;
      idle_timeout_ms?: number | null;
    }
  | { type: 'semantic_vad'; eagerness?: 'low' | 'medium' | 'high' | 'auto' };

export interface SessionSettings {
  instructions: string;
  voice: string;
  turnDetection: TurnDetection;
  /** e.g. gpt-4o-mini-transcribe; undefined turns input transcription off. */
  transcriptionModel: string | undefined;
  /** ISO-639-1, e.g. `he`. */
  language: string;
  tools: FunctionToolSpec[];
}

export function sessionUpdate(s: SessionSettings, protocol: RealtimeProtocol): string {
  // The server answers speech itself and cancels its own response on barge-in; we still send
  // response.cancel/truncate because audio already sent to Twilio is ours to stop.
  const turnDetection = { ...s.turnDetection, create_response: true, interrupt_response: true };
  const transcription = s.transcriptionModel
    ? { model: s.transcriptionModel, language: s.language }
    : undefined;
  const tools = s.tools.map((t) => ({ type: 'function', ...t }));
  if (protocol === 'beta') {
    return JSON.stringify({
      type: 'session.update',
      session: {
        modalities: ['audio', 'text'],
        instructions: s.instructions,
        voice: s.voice,
        input_audio_format: 'g711_ulaw',
        output_audio_format: 'g711_ulaw',
        input_audio_transcription: transcription ?? null,
        turn_detection: turnDetection,
        tools,
        tool_choice: 'auto',
      },
    });
  }
  return JSON.stringify({
    type: 'session.update',
    session: {
      type: 'realtime',
      instructions: s.instructions,
      output_modalities: ['audio'],
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          ...(transcription ? { transcription } : {}),
          turn_detection: turnDetection,
        },
        output: { format: { type: 'audio/pcmu' }, voice: s.voice },
      },
      tools,
      tool_choice: 'auto',
    },
  });
}

/** The hot path: one caller frame, base64 passed through untouched. */
const APPEND = frameWrap('{"type":"input_audio_buffer.append","audio":"', '"}');

/**
 * input_audio_buffer.append (fifty a second per call), as its parts: `base64` is a Twilio media
 * payload, checked as base64 at the edge (stream-messages), so it needs no JSON escaping and is
 * copied byte for byte, once, into the masked frame (ws/client-frames.ts).
 */
export function appendAudio(base64: string): WrappedText {
  return { wrap: APPEND, ascii: base64 };
}

export function cancelResponse(responseId: string | undefined): string {
  return JSON.stringify(
    responseId ? { type: 'response.cancel', response_id: responseId } : { type: 'response.cancel' },
  );
}

export function truncateItem(itemId: string, contentIndex: number, audioEndMs: number): string {
  return JSON.stringify({
    type: 'conversation.item.truncate',
    item_id: itemId,
    content_index: contentIndex,
    audio_end_ms: Math.max(0, Math.floor(audioEndMs)),
  });
}

export function functionCallOutput(callId: string, output: unknown): string {
  return JSON.stringify({
    type: 'conversation.item.create',
    item: { type: 'function_call_output', call_id: callId, output: JSON.stringify(output) },
  });
}

/** A system message in the conversation: a note for the model mid-call (e.g. time to wrap up). */
export function systemMessage(text: string): string {
  return JSON.stringify({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'system', content: [{ type: 'input_text', text }] },
  });
}

export interface ResponseRequest {
  /** Instructions for this response only (they override the session's). */
  instructions?: string;
  /** Text only (no audio), e.g. the post-call summary. */
  textOnly?: boolean;
  /** Out-of-band: not written to the conversation, may run beside a conversation response. */
  outOfBand?: boolean;
  metadata?: Record<string, string>;
}

export function createResponse(r: ResponseRequest, protocol: RealtimeProtocol, eventId?: string): string {
  const body: Record<string, unknown> = {};
  if (r.instructions !== undefined) body.instructions = r.instructions;
  if (r.textOnly) body[protocol === 'beta' ? 'modalities' : 'output_modalities'] = ['text'];
  if (r.outOfBand) body.conversation = 'none';
  if (r.metadata) body.metadata = r.metadata;
  const event: Record<string, unknown> = { type: 'response.create' };
  // The server echoes event_id in an error about this event, so a refused request can be matched.
  if (eventId) event.event_id = eventId;
  if (Object.keys(body).length) event.response = body;
  return JSON.stringify(event);
}
