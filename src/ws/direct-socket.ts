// ws keeps its socket private. Our hand-built frames go to it directly, in order with ws's own
// writes: ws writes synchronously as long as no extension is negotiated (with compression it may
// hold messages back, and then it must do all the writing).
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';

/** The socket to write frames to, or undefined: send through ws. */
export function directSocket(ws: WebSocket): Duplex | undefined {
  if (ws.extensions !== '') return undefined;
  return (ws as unknown as { _socket?: Duplex })._socket;
}
