// The private parts of a ws connection that src/ws relies on, named here and nowhere else: ws
// keeps its socket and its Receiver's state private, and reading frames off the socket needs both.
// Checked (present, of the expected type) before use; ws is pinned, and test/unit/ws-internals.test.ts
// names the field a ws release changed.
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';

/** Every private field relied on (`a.b`: field b of field a) and the type it must have. */
export const WS_PRIVATE_FIELDS = {
  _socket: 'object',
  _receiver: 'object',
  /** ws's limit for one message (0: none); above it ws closes with 1009. */
  '_receiver._maxPayload': 'number',
  /** Most chunks ws holds for one incomplete frame (0: no limit); beyond it ws closes with 1008. */
  '_receiver._maxBufferedChunks': 'number',
  /** Frames from a client are masked, frames from a server are not (RFC 6455 §5.1). */
  '_receiver._isServer': 'boolean',
  /** true (ws's default): messages are emitted as they are read, not one per tick. */
  '_receiver._allowSynchronousEvents': 'boolean',
  /** 0 between frames (GET_INFO). */
  '_receiver._state': 'number',
  /** Bytes of a frame not yet complete. */
  '_receiver._bufferedBytes': 'number',
  /** Non-zero inside a fragmented message. */
  '_receiver._fragmented': 'number',
} as const;

/** ws's one 'data' listener on its socket, which writes each chunk to its Receiver. */
export const WS_DATA_LISTENER = 'socketOnData';

type FieldType = (typeof WS_PRIVATE_FIELDS)[keyof typeof WS_PRIVATE_FIELDS];

export interface WsPrivateParts {
  socket: Duplex;
  /** ws's own 'data' listener (call it with the socket as `this`). */
  feedReceiver: (chunk: Buffer) => void;
  maxPayload: number;
  maxBufferedChunks: number;
  isServer: boolean;
  synchronousEvents: boolean;
  /** The Receiver is between frames, outside a fragmented message, and holds nothing. */
  idle: boolean;
}

function fieldOf(ws: WebSocket, path: string): unknown {
  let value: unknown = ws;
  for (const key of path.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function hasType(value: unknown, type: FieldType): boolean {
  return type === 'object' ? typeof value === 'object' && value !== null : typeof value === type;
}

/** What of the above this connection lacks or has otherwise: empty on an open ws 8.23 connection. */
export function wsInternalsProblems(ws: WebSocket): string[] {
  const problems: string[] = [];
  for (const [path, type] of Object.entries(WS_PRIVATE_FIELDS)) {
    if (!hasType(fieldOf(ws, path), type)) problems.push(`\`${path}\` (${type})`);
  }
  const socket = fieldOf(ws, '_socket') as Duplex | undefined;
  if (socket && typeof socket.listeners === 'function') {
    const listeners = socket.listeners('data');
    if (listeners.length !== 1 || listeners[0]?.name !== WS_DATA_LISTENER) {
      problems.push(`\`_socket\`'s one 'data' listener \`${WS_DATA_LISTENER}\``);
    }
  }
  return problems;
}

/** The parts above, typed; undefined when any is missing or not as expected. */
export function wsPrivateParts(ws: WebSocket): WsPrivateParts | undefined {
  if (wsInternalsProblems(ws).length > 0) return undefined;
  const { _socket: socket, _receiver: r } = ws as unknown as {
    _socket: Duplex;
    _receiver: {
      _maxPayload: number;
      _maxBufferedChunks: number;
      _isServer: boolean;
      _allowSynchronousEvents: boolean;
      _state: number;
      _bufferedBytes: number;
      _fragmented: number;
    };
  };
  return {
    socket,
    feedReceiver: socket.listeners('data')[0] as (chunk: Buffer) => void,
    maxPayload: r._maxPayload,
    maxBufferedChunks: r._maxBufferedChunks,
    isServer: r._isServer,
    synchronousEvents: r._allowSynchronousEvents,
    idle: r._state === 0 && r._bufferedBytes === 0 && r._fragmented === 0,
  };
}
