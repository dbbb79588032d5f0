// Raw TCP clients for hostile HTTP: bytes written exactly as given (slowly, oversized, half an
// upgrade), and what came back with when the server closed the socket.
import { connect, type Socket } from 'node:net';

export interface RawConn {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves (ms since connect) once the server closed or reset the socket. */
  closed: Promise<number>;
}

export function rawConnect(port: number, localAddress?: string): Promise<RawConn> {
  const t0 = Date.now();
  const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - t0)));
  socket.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    socket.once('connect', () =>
      resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closed }),
    );
    socket.once('error', reject);
  });
}

/** The status code of the first response line received, or undefined. */
export function statusOf(text: string): number | undefined {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Writes `head` at once, then one `drip` every `everyMs` until the socket closes. */
export function dribble(conn: RawConn, head: string, drip: string, everyMs: number): void {
  conn.socket.write(head);
  const timer = setInterval(() => {
    if (conn.socket.destroyed || !conn.socket.writable) clearInterval(timer);
    else conn.socket.write(drip);
  }, everyMs);
  void conn.closed.then(() => clearInterval(timer));
}

/**
 * One WebSocket upgrade that never sends `start`: the status of the answer (101, or a refusal),
 * then the socket is dropped at once (`hold` false) or left open until the server closes it.
 */
export async function upgradeWithoutStart(
  port: number,
  signature: string,
  opts: { localAddress?: string; hold: boolean },
): Promise<number> {
  const conn = await rawConnect(port, opts.localAddress);
  conn.socket.write(
    'GET /ws/twilio-media HTTP/1.1\r\nHost: agents.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
      `X-Twilio-Signature: ${signature}\r\n\r\n`,
  );
  const status = await new Promise<number>((resolve) => {
    const check = () => {
      const text = conn.received();
      if (text.includes('\r\n\r\n')) resolve(statusOf(text) ?? -1);
    };
    conn.socket.on('data', check);
    void conn.closed.then(() => resolve(statusOf(conn.received()) ?? -1));
  });
  if (status !== 101 || !opts.hold) {
    conn.socket.destroy();
    return status;
  }
  // A held socket waits for the server's close frame (start timeout) and then just goes.
  conn.socket.once('data', () => conn.socket.destroy());
  return status;
}
