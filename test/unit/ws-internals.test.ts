// The private parts of ws (and of Node's net.Socket) that src/ws/ relies on, checked on real
// connections: present, of the expected type, and meaning what src/ws/ws-internals.ts says. A ws
// or Node upgrade that changes one fails here, naming it, before anything misreads a frame.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import {
  WS_DATA_LISTENER,
  WS_PRIVATE_FIELDS,
  wsInternalsProblems,
  wsPrivateParts,
} from '../../src/ws/ws-internals.js';
import { readFramesDirectly } from '../../src/ws/frame-reader.js';

const WS_VERSION = (createRequire(import.meta.url)('ws/package.json') as { version: string }).version;
const recheck = (what: string) =>
  `ws internal ${what}: src/ws/ws-internals.ts and frame-reader.ts must be re-checked against ws ${WS_VERSION}`;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const until = async (check: () => boolean, what: string) => {
  const end = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

function field(ws: WebSocket, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], ws);
}

async function server(options: ConstructorParameters<typeof WebSocketServer>[0] = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, ...options });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  cleanups.push(() => wss.close());
  const port = (wss.address() as { port: number }).port;
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  return { port, accepted };
}

/** Both ends of a real connection, the client's options given. */
async function pair(serverOptions = {}, clientOptions: WebSocket.ClientOptions = {}) {
  const srv = await server(serverOptions);
  const client = new WebSocket(`ws://127.0.0.1:${srv.port}`, { perMessageDeflate: false, ...clientOptions });
  cleanups.push(() => client.terminate());
  await new Promise<void>((resolve) => client.once('open', () => resolve()));
  return { client, server: await srv.accepted };
}

/** A server connection and a client that writes raw bytes to it (after a real handshake). */
async function rawPair() {
  const srv = await server();
  const socket = net.connect(srv.port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  await new Promise<void>((resolve) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      expect(head).toContain(accept);
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
  });
  const ws = await srv.accepted;
  ws.on('error', () => undefined);
  return { socket, ws };
}

/** A masked client text frame. */
function clientFrame(text: string, fin = true): Buffer {
  const body = Buffer.from(text);
  const mask = randomBytes(4);
  const head = Buffer.from([(fin ? 0x80 : 0) | 0x1, 0x80 | body.length]);
  return Buffer.concat([head, mask, body.map((b, i) => b ^ mask[i & 3]!)]);
}

describe(`ws ${WS_VERSION} internals relied on by src/ws/`, () => {
  it('every private field is there, with its type, on both ends of an open connection', async () => {
    const { client, server } = await pair();
    for (const [side, ws] of [
      ['server', server],
      ['client', client],
    ] as const) {
      for (const [path, type] of Object.entries(WS_PRIVATE_FIELDS)) {
        const value = field(ws, path);
        const ok = type === 'object' ? typeof value === 'object' && value !== null : typeof value === type;
        expect(ok, recheck(`\`${path}\` (${type}) missing on the ${side} side: got ${typeof value}`)).toBe(
          true,
        );
      }
      const listeners = (field(ws, '_socket') as Duplex).listeners('data');
      expect(
        listeners.map((l) => l.name),
        recheck(`\`_socket\`'s one 'data' listener \`${WS_DATA_LISTENER}\` (${side} side)`),
      ).toEqual([WS_DATA_LISTENER]);
      expect(wsInternalsProblems(ws)).toEqual([]);
      expect(wsPrivateParts(ws)).toMatchObject({ idle: true, synchronousEvents: true });
    }
  });

  it('the fields mean what src/ws/ reads them as', async () => {
    const { client, server } = await pair(
      { maxPayload: 1234, maxBufferedChunks: 77 },
      { maxPayload: 4321, allowSynchronousEvents: false },
    );
    const meaning = (ws: WebSocket, path: string, expected: unknown) =>
      expect(field(ws, path), recheck(`\`${path}\` no longer holds ${String(expected)}`)).toBe(expected);
    meaning(server, '_receiver._isServer', true);
    meaning(client, '_receiver._isServer', false);
    meaning(server, '_receiver._maxPayload', 1234);
    meaning(client, '_receiver._maxPayload', 4321);
    meaning(server, '_receiver._maxBufferedChunks', 77);
    meaning(server, '_receiver._allowSynchronousEvents', true);
    meaning(client, '_receiver._allowSynchronousEvents', false);
    // The socket ws reads and writes: what the peer writes arrives there, what is written there, at the peer.
    const got = new Promise<string>((resolve) => client.once('message', (d) => resolve(String(d))));
    (field(server, '_socket') as Duplex).write(Buffer.from([0x81, 2, 0x68, 0x69])); // text "hi"
    expect(await got, recheck('`_socket` is not the connection’s socket')).toBe('hi');
  });

  it("the Receiver's state: between frames, mid-frame, inside a fragmented message", async () => {
    const { socket, ws } = await rawPair();
    const receiver = (state: string) => [
      field(ws, '_receiver._state'),
      field(ws, '_receiver._bufferedBytes'),
      field(ws, '_receiver._fragmented'),
      state,
    ];
    expect(
      receiver('idle'),
      recheck('`_receiver._state/_bufferedBytes/_fragmented` not 0 between frames'),
    ).toEqual([0, 0, 0, 'idle']);
    const frame = clientFrame('hello there');
    socket.write(frame.subarray(0, 8)); // the header, the mask and two bytes of the payload
    await until(
      () => field(ws, '_receiver._bufferedBytes') !== 0,
      recheck('`_bufferedBytes` stays 0 mid-frame'),
    );
    expect(field(ws, '_receiver._state'), recheck('`_state` is 0 mid-frame')).not.toBe(0);
    expect(wsPrivateParts(ws)?.idle).toBe(false);
    socket.write(frame.subarray(8));
    socket.write(clientFrame('frag', false));
    await until(
      () => field(ws, '_receiver._fragmented') !== 0,
      recheck('`_fragmented` stays 0 in a fragment'),
    );
    expect(wsPrivateParts(ws)?.idle).toBe(false);
    expect(readFramesDirectly(ws)).toBeUndefined(); // mid-message: ws keeps reading it
  });

  it("Node's TCP sockets hand each chunk read to socket.push (frame-reader.ts bypassReadable)", async () => {
    const { socket, ws } = await rawPair();
    const serverSocket = field(ws, '_socket') as net.Socket & { push: net.Socket['push'] };
    expect(serverSocket).toBeInstanceOf(net.Socket);
    const pushed: Buffer[] = [];
    const push = serverSocket.push;
    serverSocket.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (Buffer.isBuffer(chunk)) pushed.push(chunk);
      return push.call(serverSocket, chunk, encoding);
    };
    const frame = clientFrame('via push');
    socket.write(frame);
    await until(
      () => pushed.length > 0,
      `Node ${process.version}: net.Socket reads no longer call socket.push`,
    );
    expect(Buffer.concat(pushed).subarray(0, 2)).toEqual(frame.subarray(0, 2));
  });

  it('a ws that changed one of them is left to read as usual, with the field named', async () => {
    const { client, server } = await pair();
    const receiver = field(server, '_receiver') as Record<string, unknown>;
    receiver._maxPayloadRenamed = receiver._maxPayload;
    delete receiver._maxPayload;
    expect(wsInternalsProblems(server)).toEqual(['`_receiver._maxPayload` (number)']);
    expect(wsPrivateParts(server)).toBeUndefined();
    expect(readFramesDirectly(server)).toBeUndefined();
    const got = new Promise<string>((resolve) => server.once('message', (d) => resolve(String(d))));
    client.send('still read by ws');
    expect(await got).toBe('still read by ws');
    // Another listener in front of ws's own: not the socket layout expected either.
    const other = await pair();
    (field(other.server, '_socket') as Duplex).prependListener('data', () => undefined);
    expect(wsInternalsProblems(other.server)).toEqual([
      `\`_socket\`'s one 'data' listener \`${WS_DATA_LISTENER}\``,
    ]);
  });
});
