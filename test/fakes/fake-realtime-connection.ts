// One connection of the fake Realtime server: what it received, the scripted server events a test
// sends through it, and what the real server does on its own (session.updated, cancel, truncate,
// item create, active-response conflicts, errors). Event shapes follow the documented protocol.
import type { IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import { until } from '../support/until.js';
import { replyTo } from './fake-realtime-replies.js';

export type FakeApi = 'ga' | 'beta';

export interface FakeRealtimeBehaviour {
  /** Event names for audio, transcripts and items: GA (default) or the older beta ones. */
  api: FakeApi;
  /** Answer every append at once with an audio delta carrying the same bytes. */
  echo: boolean;
  /** Refuse the WebSocket upgrade with this HTTP status (and body). */
  refuse: { status: number; body?: string } | undefined;
  /** Hold each upgrade this long before answering (a slow provider). */
  handshakeDelayMs: number;
  /** Accept, but never send session.created / session.updated. */
  silent: boolean;
  /** Keep every appended payload (tests); off for benchmarks. */
  recordAudio: boolean;
  /** Answer pings (fixed when the server starts); false models a stalled provider. */
  autoPong: boolean;
  /** Called for each response.create the server accepts (script the response here). */
  onResponseCreate: ((conn: FakeRealtimeConnection, event: ClientEvent) => void) | undefined;
}

export type ClientEvent = { type: string; [key: string]: unknown };

export interface FakeResponse {
  id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed' | 'incomplete';
  conversation: 'auto' | 'none';
  metadata: Record<string, string> | null;
  output: Record<string, unknown>[];
}

export interface ItemAudio {
  ms: number;
  responseId: string;
}

const BYTES_PER_MS = 8; // μ-law 8 kHz

export interface ConnectionState {
  responses: Map<string, FakeResponse>;
  /** Audio ms sent per assistant item (truncate points are checked against it). */
  itemAudio: Map<string, ItemAudio>;
  /** Function calls made, so an output for an unknown call_id is refused. */
  callIds: Set<string>;
  /** The response writing to the conversation, if any (only one may). */
  active: FakeResponse | undefined;
  /** The open response echo mode streams into. */
  echo: { response: FakeResponse; itemId: string } | undefined;
}

/** What a connection needs from its server. */
export interface FakeServerContext {
  readonly behaviour: FakeRealtimeBehaviour;
  nextId(prefix: string): string;
}

export class FakeRealtimeConnection {
  readonly received: ClientEvent[] = [];
  /** Error events this connection sent (a request the real server would refuse too). */
  readonly errors: { code: string; message: string }[] = [];
  appends = 0;
  appendedBytes = 0;
  session: Record<string, unknown> = {};
  /** How the socket closed (either side), once it has. */
  closeInfo: { code: number; reason: string } | undefined;
  /** Server-side state the automatic replies read and change (fake-realtime-replies.ts). */
  readonly state: ConnectionState = {
    responses: new Map(),
    itemAudio: new Map(),
    callIds: new Set(),
    active: undefined,
    echo: undefined,
  };
  private waiters: { match: (e: ClientEvent) => boolean; resolve: (e: ClientEvent) => void }[] = [];
  private closeWaiters: (() => void)[] = [];

  constructor(
    readonly server: FakeServerContext,
    private readonly ws: WebSocket,
    readonly path: string,
    readonly headers: IncomingHttpHeaders,
  ) {
    const id = server.nextId('sess');
    this.session = {
      id,
      object: 'realtime.session',
      type: 'realtime',
      model: new URL(path, 'ws://x').searchParams.get('model'),
    };
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      for (const w of this.closeWaiters.splice(0)) w();
    });
    if (!server.behaviour.silent) this.send({ type: 'session.created', session: this.session });
  }

  get api(): FakeApi {
    return this.server.behaviour.api;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Client events of one type, in arrival order. */
  of(type: string): ClientEvent[] {
    return this.received.filter((e) => e.type === type);
  }

  /** The first received event of `type` matching `match` (already received or the next one). */
  waitFor(
    type: string,
    match: (e: ClientEvent) => boolean = () => true,
    timeoutMs = 3000,
  ): Promise<ClientEvent> {
    const test = (e: ClientEvent): boolean => e.type === type && match(e);
    const found = this.received.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fake realtime: no ${type} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        match: test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Resolves once `count` events of `type` were received. */
  waitForCount(type: string, count: number, timeoutMs = 3000): Promise<ClientEvent[]> {
    return until(() => this.of(type), `${count} ${type} at the fake realtime server`, {
      is: (events) => events.length >= count,
      timeoutMs,
    });
  }

  whenClosed(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Sends any event (scripted by the test), `type` then `event_id` first, as the Realtime API writes them. */
  send(event: Record<string, unknown>): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ type: event.type, event_id: this.server.nextId('event'), ...event }));
  }

  // ── the client's events

  private onMessage(text: string): void {
    let event: ClientEvent;
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || typeof (parsed as ClientEvent).type !== 'string')
        throw new Error();
      event = parsed as ClientEvent;
    } catch {
      return this.error('invalid_json', 'The server could not parse the event');
    }
    const isAppend = event.type === 'input_audio_buffer.append';
    if (!isAppend || this.server.behaviour.recordAudio) this.received.push(event);
    this.waiters = this.waiters.filter((w) => (w.match(event) ? (w.resolve(event), false) : true));
    replyTo(this, event);
  }

  // ── scripted server events ──────────────────────────────────────────────────────────────

  startResponse(
    opts: { metadata?: Record<string, string>; conversation?: 'auto' | 'none' } = {},
  ): FakeResponse {
    const response: FakeResponse = {
      id: this.server.nextId('resp'),
      status: 'in_progress',
      conversation: opts.conversation ?? 'auto',
      metadata: opts.metadata ?? null,
      output: [],
    };
    this.state.responses.set(response.id, response);
    if (response.conversation === 'auto') this.state.active = response;
    this.send({ type: 'response.created', response: this.wire(response) });
    return response;
  }

  /** Adds an assistant message item with an audio content part; returns its item id. */
  addAudioItem(response: FakeResponse): string {
    const item = {
      id: this.server.nextId('item'),
      object: 'realtime.item',
      type: 'message',
      role: 'assistant',
      status: 'in_progress',
      content: [] as Record<string, unknown>[],
    };
    const outputIndex = response.output.length;
    response.output.push(item);
    this.state.itemAudio.set(item.id, { ms: 0, responseId: response.id });
    this.send({
      type: 'response.output_item.added',
      response_id: response.id,
      output_index: outputIndex,
      item,
    });
    this.send({ type: this.api === 'ga' ? 'conversation.item.added' : 'conversation.item.created', item });
    this.send({
      type: 'response.content_part.added',
      response_id: response.id,
      item_id: item.id,
      output_index: outputIndex,
      content_index: 0,
      part: { type: 'audio', transcript: '' },
    });
    return item.id;
  }

  audioDelta(response: FakeResponse, itemId: string, audio: Buffer | string): void {
    const b64 = typeof audio === 'string' ? audio : audio.toString('base64');
    const bytes = (b64.length * 3) / 4 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
    const known = this.state.itemAudio.get(itemId);
    if (known) known.ms += bytes / BYTES_PER_MS;
    this.send({
      type: this.api === 'ga' ? 'response.output_audio.delta' : 'response.audio.delta',
      response_id: response.id,
      item_id: itemId,
      output_index: Math.max(
        0,
        response.output.findIndex((i) => i.id === itemId),
      ),
      content_index: 0,
      delta: b64,
    });
  }

  transcriptDone(response: FakeResponse, itemId: string, transcript: string): void {
    const item = response.output.find((i) => i.id === itemId);
    if (item) (item.content as Record<string, unknown>[]).push({ type: 'output_audio', transcript });
    this.send({
      type: this.api === 'ga' ? 'response.output_audio_transcript.done' : 'response.audio_transcript.done',
      response_id: response.id,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      transcript,
    });
  }

  /** A text-only message item, complete (e.g. the answer to an out-of-band text response). */
  text(response: FakeResponse, text: string): void {
    const item = {
      id: this.server.nextId('item'),
      object: 'realtime.item',
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: this.api === 'ga' ? 'output_text' : 'text', text }],
    };
    response.output.push(item);
    this.send({
      type: this.api === 'ga' ? 'response.output_text.done' : 'response.text.done',
      response_id: response.id,
      item_id: item.id,
      output_index: response.output.length - 1,
      content_index: 0,
      text,
    });
  }

  /** A complete function call item in the response; returns its call_id. */
  functionCall(response: FakeResponse, name: string, args: unknown): string {
    const callId = this.server.nextId('call');
    const argumentsText = typeof args === 'string' ? args : JSON.stringify(args);
    const item = {
      id: this.server.nextId('item'),
      object: 'realtime.item',
      type: 'function_call',
      status: 'completed',
      name,
      call_id: callId,
      arguments: argumentsText,
    };
    const outputIndex = response.output.length;
    response.output.push(item);
    this.state.callIds.add(callId);
    this.send({
      type: 'response.output_item.added',
      response_id: response.id,
      output_index: outputIndex,
      item: { ...item, status: 'in_progress', arguments: '' },
    });
    this.send({
      type: 'response.function_call_arguments.delta',
      response_id: response.id,
      item_id: item.id,
      output_index: outputIndex,
      call_id: callId,
      delta: argumentsText,
    });
    this.send({
      type: 'response.function_call_arguments.done',
      response_id: response.id,
      item_id: item.id,
      output_index: outputIndex,
      call_id: callId,
      name,
      arguments: argumentsText,
    });
    this.send({
      type: 'response.output_item.done',
      response_id: response.id,
      output_index: outputIndex,
      item,
    });
    return callId;
  }

  finishResponse(
    response: FakeResponse,
    status: FakeResponse['status'] = 'completed',
    details?: Record<string, unknown>,
  ): void {
    if (response.status !== 'in_progress') return;
    response.status = status;
    if (this.state.active === response) this.state.active = undefined;
    if (this.state.echo?.response === response) this.state.echo = undefined;
    this.send({
      type: 'response.done',
      response: {
        ...this.wire(response),
        status_details: details ?? (status === 'completed' ? null : { type: status }),
      },
    });
  }

  /** One whole spoken answer: response, one audio item, the deltas, its transcript, done. */
  speak(
    chunks: Buffer[],
    transcript: string,
    opts: { finish?: boolean } = {},
  ): { response: FakeResponse; itemId: string } {
    const response = this.startResponse();
    const itemId = this.addAudioItem(response);
    for (const c of chunks) this.audioDelta(response, itemId, c);
    if (opts.finish !== false) {
      this.transcriptDone(response, itemId, transcript);
      this.finishResponse(response);
    }
    return { response, itemId };
  }

  speechStarted(audioStartMs = 0): string {
    const itemId = this.server.nextId('item');
    this.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: audioStartMs, item_id: itemId });
    return itemId;
  }

  speechStopped(itemId: string, audioEndMs: number): void {
    this.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: audioEndMs, item_id: itemId });
    this.send({ type: 'input_audio_buffer.committed', item_id: itemId, previous_item_id: null });
  }

  inputTranscript(itemId: string, transcript: string): void {
    this.send({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: itemId,
      content_index: 0,
      transcript,
      usage: { type: 'duration', seconds: 1 },
    });
  }

  error(code: string, message: string, eventId?: string): void {
    this.errors.push({ code, message });
    this.send({
      type: 'error',
      error: { type: 'invalid_request_error', code, message, event_id: eventId ?? null },
    });
  }

  /** The provider closes the session mid-call. */
  close(code = 1011, reason = 'server error'): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  wire(r: FakeResponse): Record<string, unknown> {
    return {
      id: r.id,
      object: 'realtime.response',
      status: r.status,
      output: r.output,
      metadata: r.metadata,
      conversation_id: r.conversation === 'none' ? null : 'conv_fake',
    };
  }
}
