// A real WebSocket server on 127.0.0.1:0 speaking the documented OpenAI Realtime event protocol
// (GA names by default, the older beta names on request). Tests script it per connection (see
// fake-realtime-connection.ts); it records everything it received. Modes: refuse the upgrade,
// be slow to accept, stay silent, and echo (each input_audio_buffer.append answered at once with
// an audio delta carrying the same bytes — the benchmark's upstream).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  FakeRealtimeConnection,
  type FakeRealtimeBehaviour,
  type FakeServerContext,
} from './fake-realtime-connection.js';

export {
  FakeRealtimeConnection,
  type ClientEvent,
  type FakeApi,
  type FakeRealtimeBehaviour,
  type FakeResponse,
} from './fake-realtime-connection.js';

export class FakeRealtimeServer implements FakeServerContext {
  readonly connections: FakeRealtimeConnection[] = [];
  /** Upgrades seen, refused ones included. */
  upgrades = 0;
  /** Upgrade requests whose client hung up before the fake answered them (handshakeDelayMs). */
  abandoned = 0;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Duplex>();
  private waiters: { n: number; resolve: (c: FakeRealtimeConnection) => void }[] = [];
  private ids = 0;

  private constructor(readonly behaviour: FakeRealtimeBehaviour) {
    // autoPong off = a provider that stalls (the client's ping gets no answer).
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      autoPong: behaviour.autoPong,
    });
    this.http = createServer((_req, res) => {
      res.writeHead(426).end('WebSocket only');
    });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.http.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
  }

  static async start(behaviour: Partial<FakeRealtimeBehaviour> = {}): Promise<FakeRealtimeServer> {
    const server = new FakeRealtimeServer({
      api: 'ga',
      echo: false,
      refuse: undefined,
      handshakeDelayMs: 0,
      silent: false,
      recordAudio: true,
      autoPong: true,
      onResponseCreate: undefined,
      ...behaviour,
    });
    await new Promise<void>((resolve) => server.http.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get port(): number {
    const address = this.http.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** The Realtime endpoint URL (without the model query, which the client adds). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/v1/realtime`;
  }

  nextId(prefix: string): string {
    this.ids += 1;
    return `${prefix}_${String(this.ids).padStart(4, '0')}`;
  }

  /** Resolves with the n-th connection (1-based) once it is open. */
  connection(n = 1): Promise<FakeRealtimeConnection> {
    const existing = this.connections[n - 1];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.connections) c.terminate();
    for (const s of this.sockets) s.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrades += 1;
    socket.on('error', () => undefined);
    const refuse = this.behaviour.refuse;
    if (refuse) {
      const body =
        refuse.body ??
        JSON.stringify({ error: { message: 'refused by the fake', type: 'invalid_request_error' } });
      socket.end(
        `HTTP/1.1 ${refuse.status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    const accept = (): void => {
      if (socket.destroyed) return;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new FakeRealtimeConnection(this, ws, req.url ?? '', req.headers);
        this.connections.push(conn);
        const n = this.connections.length;
        this.waiters = this.waiters.filter((w) => (w.n === n ? (w.resolve(conn), false) : true));
      });
    };
    if (this.behaviour.handshakeDelayMs > 0) {
      // The client's end of the socket closing (FIN) while the fake still holds the answer.
      socket.once('end', () => {
        if (this.timers.has(t)) this.abandoned += 1;
      });
      const t = setTimeout(() => {
        this.timers.delete(t);
        accept();
      }, this.behaviour.handshakeDelayMs);
      this.timers.add(t);
    } else accept();
  }
}
