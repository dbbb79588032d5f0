// What the fake Realtime server does on its own when a client event arrives, as the documented
// server does: session.updated for session.update, response.done(cancelled) or an error for
// response.cancel, conversation.item.truncated or an error for a truncate, item added/created
// for conversation.item.create, a conflict error for a second conversation response, echo audio.
import type { ClientEvent, FakeRealtimeConnection } from './fake-realtime-connection.js';

export function replyTo(conn: FakeRealtimeConnection, event: ClientEvent): void {
  const eventId = typeof event.event_id === 'string' ? event.event_id : undefined;
  switch (event.type) {
    case 'input_audio_buffer.append':
      return onAppend(conn, event);
    case 'session.update':
      return onSessionUpdate(conn, event, eventId);
    case 'response.create':
      return onResponseCreate(conn, event, eventId);
    case 'response.cancel':
      return onCancel(conn, event, eventId);
    case 'conversation.item.truncate':
      return onTruncate(conn, event, eventId);
    case 'conversation.item.create':
      return onItemCreate(conn, event, eventId);
    case 'input_audio_buffer.commit':
    case 'input_audio_buffer.clear':
    case 'conversation.item.delete':
    case 'conversation.item.retrieve':
      return;
    default:
      return conn.error('invalid_value', `Invalid value: '${event.type}'`, eventId);
  }
}

function onAppend(conn: FakeRealtimeConnection, event: ClientEvent): void {
  const audio = event.audio;
  if (typeof audio !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(audio)) {
    return conn.error('invalid_value', 'audio must be base64');
  }
  conn.appends += 1;
  conn.appendedBytes += Buffer.byteLength(audio, 'base64');
  if (!conn.server.behaviour.echo) return;
  if (!conn.state.echo) {
    const response = conn.startResponse();
    conn.state.echo = { response, itemId: conn.addAudioItem(response) };
  }
  conn.audioDelta(conn.state.echo.response, conn.state.echo.itemId, audio);
}

function onSessionUpdate(
  conn: FakeRealtimeConnection,
  event: ClientEvent,
  eventId: string | undefined,
): void {
  const session = event.session as Record<string, unknown> | undefined;
  if (!session || typeof session !== 'object')
    return conn.error('missing_required_parameter', "Missing 'session'", eventId);
  if (conn.api === 'ga' && session.type !== 'realtime' && session.type !== 'transcription') {
    return conn.error('missing_required_parameter', "Missing required parameter: 'session.type'.", eventId);
  }
  conn.session = { ...conn.session, ...session };
  if (!conn.server.behaviour.silent) conn.send({ type: 'session.updated', session: conn.session });
}

function onResponseCreate(
  conn: FakeRealtimeConnection,
  event: ClientEvent,
  eventId: string | undefined,
): void {
  const body = (event.response ?? {}) as Record<string, unknown>;
  if (body.conversation !== 'none' && conn.state.active) {
    return conn.error(
      'conversation_already_has_active_response',
      `Conversation already has an active response in progress: ${conn.state.active.id}.`,
      eventId,
    );
  }
  conn.server.behaviour.onResponseCreate?.(conn, event);
}

function onCancel(conn: FakeRealtimeConnection, event: ClientEvent, eventId: string | undefined): void {
  const id = typeof event.response_id === 'string' ? event.response_id : conn.state.active?.id;
  const response = id ? conn.state.responses.get(id) : undefined;
  if (!response || response.status !== 'in_progress') {
    return conn.error('response_cancel_not_active', 'Cancellation failed: no active response found', eventId);
  }
  conn.finishResponse(response, 'cancelled', { type: 'cancelled', reason: 'client_cancelled' });
}

function onTruncate(conn: FakeRealtimeConnection, event: ClientEvent, eventId: string | undefined): void {
  const itemId = String(event.item_id ?? '');
  const audio = conn.state.itemAudio.get(itemId);
  const end = Number(event.audio_end_ms);
  if (!audio) return conn.error('item_truncate_invalid_item_id', `Item ${itemId} not found`, eventId);
  if (!Number.isInteger(end) || end < 0 || end > Math.ceil(audio.ms)) {
    return conn.error(
      'invalid_value',
      `audio_end_ms ${event.audio_end_ms} is beyond the item's audio (${audio.ms} ms)`,
      eventId,
    );
  }
  conn.send({ type: 'conversation.item.truncated', item_id: itemId, content_index: 0, audio_end_ms: end });
}

function onItemCreate(conn: FakeRealtimeConnection, event: ClientEvent, eventId: string | undefined): void {
  const item = event.item as Record<string, unknown> | undefined;
  if (!item || typeof item !== 'object')
    return conn.error('missing_required_parameter', "Missing 'item'", eventId);
  if (item.type === 'function_call_output' && !conn.state.callIds.has(String(item.call_id))) {
    return conn.error('invalid_value', `No function call with call_id ${String(item.call_id)}`, eventId);
  }
  const created = { id: conn.server.nextId('item'), object: 'realtime.item', status: 'completed', ...item };
  conn.send({
    type: conn.api === 'ga' ? 'conversation.item.added' : 'conversation.item.created',
    item: created,
    previous_item_id: null,
  });
  if (conn.api === 'ga') conn.send({ type: 'conversation.item.done', item: created, previous_item_id: null });
}
