// readFramesDirectly (frames read off ws's socket) and the masked frames written to it: on both
// ends of real ws connections, with frames cut at every byte, control frames between data frames,
// and every kind of frame that must go back to ws (which then closes as it always would).
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { readFramesDirectly } from '../../src/ws/frame-reader.js';
import { maskedTextFrame } from '../../src/ws/client-frames.js';
import { attachDirectFrames } from '../../src/ws/direct-frames.js';
import { frameWrap, wrappedBytes } from '../../src/ws/text-frames.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Received {
  messages: { data: string; binary: boolean }[];
  closed: Promise<{ code: number; reason: string }>;
}

function record(ws: WebSocket): Received {
  const messages: Received['messages'] = [];
  ws.on('message', (data, binary) => messages.push({ data: String(data), binary }));
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { messages, closed };
}

async function server(options: { maxPayload?: number } = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, ...options });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  const port = (wss.address() as { port: number }).port;
  const next = () =>
    new Promise<{ ws: WebSocket; direct: boolean; got: Received }>((resolve) =>
      wss.once('connection', (ws) => {
        const got = record(ws);
        resolve({ ws, direct: readDirectly(ws), got });
      }),
    );
  return { port, next };
}

/** readFramesDirectly's answer: whether it now reads the connection. */
const readDirectly = (ws: WebSocket) => readFramesDirectly(ws) !== undefined;

/** A client that speaks raw bytes after a real handshake. */
async function rawClient(port: number): Promise<{ socket: net.Socket; input: Buffer[] }> {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => void socket.destroy());
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const input: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      if (!head.subarray(0, end).toString().includes(accept)) reject(new Error('bad handshake'));
      socket.off('data', onData);
      if (head.length > end + 4) input.push(head.subarray(end + 4));
      socket.on('data', (c: Buffer) => input.push(c));
      resolve();
    };
    socket.on('data', onData);
  });
  return { socket, input };
}

/** A server whose one connection is set up by `attach` (by default: read directly, no listener). */
async function acceptDirect(attach: (ws: WebSocket) => boolean = readDirectly) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  const accepted = new Promise<{ ws: WebSocket; direct: boolean }>((resolve) =>
    wss.once('connection', (ws) => resolve({ ws, direct: attach(ws) })),
  );
  const { socket } = await rawClient((wss.address() as { port: number }).port);
  return { socket, ...(await accepted) };
}

/** Counts an emitter's `event` emits from now on (ws's 'message', a socket's 'data'). */
function countEmits(emitter: WebSocket | Duplex, event: string): { count: number } {
  const counter = { count: 0 };
  const emit = emitter.emit.bind(emitter) as (event: string, ...args: unknown[]) => boolean;
  emitter.emit = ((name: string, ...args: unknown[]) => {
    if (name === event) counter.count += 1;
    return emit(name, ...args);
  }) as typeof emitter.emit;
  return counter;
}

/** A client frame (masked) of any opcode, FIN and RSV bits, as raw bytes. */
function clientFrame(
  opcode: number,
  payload: Buffer,
  opts: { fin?: boolean; rsv?: number; mask?: boolean } = {},
) {
  const fin = opts.fin ?? true;
  const masked = opts.mask ?? true;
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65_536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (masked ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode;
  head[1] = (masked ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  const body = Buffer.from(payload);
  if (masked) {
    const key = randomBytes(4);
    key.copy(head, 2 + ext);
    for (let i = 0; i < body.length; i++) body[i]! ^= key[i & 3]!;
  }
  return Buffer.concat([head, body]);
}

const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('readFramesDirectly, server side (frames from a client: masked)', () => {
  it("calls ws's only 'message' listener directly, and emits again once listeners change", async () => {
    const calls: { data: string; binary: boolean; self: unknown }[] = [];
    function listener(this: unknown, data: Buffer, binary: boolean) {
      calls.push({ data: String(data), binary, self: this });
    }
    const { socket, ws, direct } = await acceptDirect((ws) => {
      ws.on('message', listener);
      return readFramesDirectly(ws, listener) !== undefined;
    });
    expect(direct).toBe(true);
    const emits = countEmits(ws, 'message');
    socket.write(Buffer.concat([clientFrame(1, Buffer.from('one')), clientFrame(2, Buffer.from([7]))]));
    await until(() => calls.length === 2);
    // What an emit would have passed: the same arguments, ws as `this`.
    expect(calls).toEqual([
      { data: 'one', binary: false, self: ws },
      { data: String(Buffer.from([7])), binary: true, self: ws },
    ]);
    expect(emits.count).toBe(0);
    // A second listener: both hear every message from now on, through ws's emit.
    const second: string[] = [];
    ws.on('message', (d) => second.push(String(d)));
    socket.write(clientFrame(1, Buffer.from('two')));
    await until(() => second.length === 1 && calls.length === 3);
    expect(emits.count).toBe(1);
    // The first one removed hears nothing more.
    ws.off('message', listener);
    socket.write(clientFrame(1, Buffer.from('three')));
    await until(() => second.length === 2);
    expect(calls.map((c) => c.data)).toEqual(['one', String(Buffer.from([7])), 'two']);
    expect(second).toEqual(['two', 'three']);
  });

  it("emits when the listener given is not ws's only 'message' listener", async () => {
    const a: string[] = [];
    const b: string[] = [];
    const listener = (d: Buffer) => a.push(String(d));
    const { socket, ws, direct } = await acceptDirect((ws) => {
      ws.on('message', listener);
      ws.on('message', (d) => b.push(String(d)));
      return readFramesDirectly(ws, listener) !== undefined;
    });
    expect(direct).toBe(true);
    const emits = countEmits(ws, 'message');
    socket.write(clientFrame(1, Buffer.from('both')));
    await until(() => a.length === 1 && b.length === 1);
    expect(emits.count).toBe(1);
  });

  it('reads frames of every length, several per chunk and cut at every byte, in order', async () => {
    const srv = await server();
    const accepted = srv.next();
    const { socket } = await rawClient(srv.port);
    const { direct, got } = await accepted;
    expect(direct).toBe(true);
    const texts = ['', 'a', 'x'.repeat(125), 'y'.repeat(126), 'ש'.repeat(30_000), 'z'.repeat(70_000)];
    const wire = Buffer.concat(texts.map((t) => clientFrame(1, Buffer.from(t))));
    socket.write(wire); // all at once
    await until(() => got.messages.length === texts.length);
    for (let i = 0; i < wire.length; i += 1) socket.write(wire.subarray(i, i + 1)); // byte by byte
    await until(() => got.messages.length === 2 * texts.length, 10_000);
    expect(got.messages.map((m) => m.data)).toEqual([...texts, ...texts]);
    expect(got.messages.every((m) => !m.binary)).toBe(true);
  });

  it('passes binary frames as binary, and lets ws answer a ping between data frames', async () => {
    const srv = await server();
    const accepted = srv.next();
    const { socket, input } = await rawClient(srv.port);
    const { got, ws } = await accepted;
    const pings: string[] = [];
    ws.on('ping', (d) => pings.push(String(d)));
    socket.write(
      Buffer.concat([
        clientFrame(1, Buffer.from('one')),
        clientFrame(9, Buffer.from('are you there')),
        clientFrame(2, Buffer.from([1, 2, 3])),
        clientFrame(10, Buffer.from('unsolicited pong')),
        clientFrame(1, Buffer.from('two')),
      ]),
    );
    await until(() => got.messages.length === 3 && input.length > 0);
    expect(got.messages).toEqual([
      { data: 'one', binary: false },
      { data: '\x01\x02\x03', binary: true },
      { data: 'two', binary: false },
    ]);
    expect(pings).toEqual(['are you there']);
    const pong = Buffer.concat(input);
    expect(pong[0]).toBe(0x8a); // FIN + pong, from ws, with the ping's data
    expect(pong.subarray(2, 2 + pong[1]!).toString()).toBe('are you there');
  });

  it('hands a fragmented message to ws, which reassembles it; later frames still arrive', async () => {
    const srv = await server();
    const accepted = srv.next();
    const { socket } = await rawClient(srv.port);
    const { got } = await accepted;
    socket.write(
      Buffer.concat([
        clientFrame(1, Buffer.from('before')),
        clientFrame(1, Buffer.from('frag'), { fin: false }),
        clientFrame(9, Buffer.from('p')),
        clientFrame(0, Buffer.from('mented'), { fin: true }),
        clientFrame(1, Buffer.from('after')),
      ]),
    );
    await until(() => got.messages.length === 3);
    expect(got.messages.map((m) => m.data)).toEqual(['before', 'fragmented', 'after']);
  });

  it.each([
    ['an unmasked client frame', 1002, () => clientFrame(1, Buffer.from('x'), { mask: false })],
    ['reserved bits without an extension', 1002, () => clientFrame(1, Buffer.from('x'), { rsv: 4 })],
    ['invalid UTF-8 in a text frame', 1007, () => clientFrame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
    ['a message over maxPayload', 1009, () => clientFrame(1, Buffer.alloc(2000, 0x61))],
    ['an unknown opcode', 1002, () => clientFrame(3, Buffer.from('x'))],
  ])('%s: ws closes with %s, after delivering the frames before it', async (_name, code, bad) => {
    const srv = await server({ maxPayload: 1000 });
    const accepted = srv.next();
    const { socket, input } = await rawClient(srv.port);
    const { got } = await accepted;
    socket.write(
      Buffer.concat([clientFrame(1, Buffer.from('fine')), bad(), clientFrame(1, Buffer.from('never'))]),
    );
    const closed = await got.closed;
    expect(got.messages.map((m) => m.data)).toEqual(['fine']);
    expect(closed.code).toBe(1006); // ws drops the socket after a protocol error…
    const wire = Buffer.concat(input);
    expect(wire[0]).toBe(0x88); // …having sent its close frame with the code
    expect(wire.readUInt16BE(2)).toBe(code);
  });

  it('hands a close frame to ws: the closing handshake completes with the client code', async () => {
    const srv = await server();
    const accepted = srv.next();
    const { socket, input } = await rawClient(srv.port);
    const { got } = await accepted;
    const body = Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('bye')]); // 4000 "bye"
    socket.write(Buffer.concat([clientFrame(1, Buffer.from('last')), clientFrame(8, body)]));
    expect(await got.closed).toEqual({ code: 4000, reason: 'bye' });
    expect(got.messages.map((m) => m.data)).toEqual(['last']);
    expect(Buffer.concat(input).readUInt16BE(2)).toBe(4000); // ws echoed the close
  });
});

describe('client side: frames from a server (unmasked) read directly, frames to it masked by hand', () => {
  async function clientPair() {
    const srv = await server();
    const accepted = srv.next();
    const client = new WebSocket(`ws://127.0.0.1:${srv.port}`, { perMessageDeflate: false });
    cleanups.push(() => client.terminate());
    const got = record(client);
    await new Promise<void>((resolve) => client.once('open', () => resolve()));
    const frames = attachDirectFrames(client, () => undefined, { enabled: true });
    const peer = await accepted;
    return { client, got, direct: frames.direct, peer, frames };
  }

  it('reads what a ws server sends, of every size, and answers its pings through ws', async () => {
    const { got, direct, peer } = await clientPair();
    expect(direct).toBe(true);
    const texts = ['', 'x'.repeat(125), 'y'.repeat(126), 'ש'.repeat(40_000), 'z'.repeat(100_000)];
    for (const t of texts) peer.ws.send(t);
    peer.ws.send(Buffer.from([9, 8]), { binary: true });
    const pong = new Promise<string>((resolve) => peer.ws.once('pong', (d) => resolve(String(d))));
    peer.ws.ping('hi');
    expect(await pong).toBe('hi');
    await until(() => got.messages.length === texts.length + 1);
    expect(got.messages.slice(0, texts.length).map((m) => m.data)).toEqual(texts);
    expect(got.messages[texts.length]).toEqual({ data: '\x09\x08', binary: true });
  });

  it('a server close goes through ws: code and reason arrive, the handshake completes', async () => {
    const { got, peer } = await clientPair();
    peer.ws.send('before');
    peer.ws.close(4321, 'done here');
    expect(await got.closed).toEqual({ code: 4321, reason: 'done here' });
    expect(await peer.got.closed).toEqual({ code: 4321, reason: 'done here' });
    expect(got.messages.map((m) => m.data)).toEqual(['before']);
  });

  it('masked frames of every header size read back by a ws server, in order with ws.send', async () => {
    const { client, frames, peer } = await clientPair();
    const texts = ['', 'a'.repeat(125), 'b'.repeat(126), 'ג'.repeat(32_767), 'c'.repeat(65_536), '{"k":1}'];
    for (const t of texts.slice(0, 3)) frames.send(t);
    client.send('through ws');
    for (const t of texts.slice(3)) frames.send(t);
    await until(() => peer.got.messages.length === texts.length + 1);
    expect(peer.got.messages.map((m) => m.data)).toEqual([
      ...texts.slice(0, 3),
      'through ws',
      ...texts.slice(3),
    ]);
  });

  it('a masked wrapped message: head, ASCII body and tail copied once, masked in place', async () => {
    const { frames, peer } = await clientPair();
    const wrap = frameWrap('{"type":"input_audio_buffer.append","audio":"', '"}');
    const bodies = ['', 'QUJD', 'A'.repeat(80), 'B'.repeat(216), 'C'.repeat(70_000)]; // 7-, 16-, 64-bit lengths
    for (const ascii of bodies) frames.send({ wrap, ascii });
    await until(() => peer.got.messages.length === bodies.length);
    expect(peer.got.messages.map((m) => (JSON.parse(m.data) as { audio: string }).audio)).toEqual(bodies);
    expect(wrappedBytes({ wrap, ascii: 'QUJD' }).toString()).toBe(
      '{"type":"input_audio_buffer.append","audio":"QUJD"}',
    );
  });

  it('uses a fresh masking key per frame', () => {
    const payload = Buffer.from('same payload');
    const keys = new Set<string>();
    for (let i = 0; i < 5000; i++) keys.add(maskedTextFrame(payload).subarray(2, 6).toString('hex'));
    expect(keys.size).toBeGreaterThan(4990); // 5000 draws from 2^32: a repeat or two at most
  });

  it('refuses (changing nothing) a connection not open, compressed, or deferring its events', async () => {
    const srv = await server();
    const client = new WebSocket(`ws://127.0.0.1:${srv.port}`);
    cleanups.push(() => client.terminate());
    expect(readFramesDirectly(client)).toBeUndefined(); // CONNECTING: no socket yet
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const deflating = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    cleanups.push(() => deflating.terminate());
    await new Promise<void>((resolve) => deflating.once('open', () => resolve()));
    expect(deflating.extensions).not.toBe('');
    expect(readFramesDirectly(deflating)).toBeUndefined();
    expect(attachDirectFrames(deflating, () => undefined, { enabled: true }).direct).toBe(false);
    const deferring = new WebSocket(`ws://127.0.0.1:${srv.port}`, { allowSynchronousEvents: false });
    cleanups.push(() => deferring.terminate());
    await new Promise<void>((resolve) => deferring.once('open', () => resolve()));
    expect(readFramesDirectly(deferring)).toBeUndefined(); // its messages come one per tick: ws keeps them
  });
});

describe('readFramesDirectly: a socket fed by hand, chunk by chunk, as ws would be', () => {
  class HandFedSocket extends Duplex {
    override _read(): void {}
    override _write(_c: Buffer, _e: BufferEncoding, cb: () => void): void {
      cb();
    }
  }
  /** A server-side ws on a socket the test pushes bytes into (ws's own server does the same). */
  function handFed(opts: { direct?: boolean; maxBufferedChunks?: number } = {}) {
    const socket = new HandFedSocket();
    const ws = new (WebSocket as unknown as new (a: null, b: undefined, o: object) => WebSocket)(
      null,
      undefined,
      { autoPong: true, closeTimeout: 30_000 }, // what ws's server passes (unset: 1 ms)
    );
    (ws as unknown as { setSocket(s: Duplex, h: Buffer, o: object): void }).setSocket(
      socket,
      Buffer.alloc(0),
      {
        allowSynchronousEvents: true,
        maxPayload: 65_536,
        maxBufferedChunks: opts.maxBufferedChunks ?? 0,
      },
    );
    const got = record(ws);
    return { socket, ws, got, direct: (opts.direct ?? true) && readDirectly(ws) };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it("a frame in more chunks than ws holds for one: ws's own limit closes with 1008, as without the reader", async () => {
    /** Feeds copies of `chunks` (both readers unmask in place) one per tick: what came, where ws gave up. */
    const feed = async (direct: boolean, chunks: Buffer[]) => {
      const { socket, ws, got, direct: reading } = handFed({ direct, maxBufferedChunks: 4 });
      expect(reading).toBe(direct);
      const errors: { code: unknown; at: number }[] = [];
      let at = 0;
      ws.on('error', (err) => errors.push({ code: (err as { code?: unknown }).code, at }));
      for (; at < chunks.length; at++) {
        socket.push(Buffer.from(chunks[at]!));
        await tick();
      }
      socket.destroy();
      return { messages: got.messages.map((m) => m.data), errors, state: ws.readyState };
    };
    const frame = clientFrame(1, Buffer.from('x'.repeat(40)));
    const byteByByte = [clientFrame(1, Buffer.from('whole')), ...Array.from(frame, (b) => Buffer.from([b]))];
    const ws = await feed(false, byteByByte);
    expect(ws.errors).toEqual([{ code: 'WS_ERR_TOO_MANY_BUFFERED_PARTS', at: expect.any(Number) }]);
    expect(await feed(true, byteByByte)).toEqual(ws);
    expect(ws.messages).toEqual(['whole']);
    // In few enough chunks the same frame is read, by both.
    const inThree = [frame.subarray(0, 2), frame.subarray(2, 20), frame.subarray(20)];
    expect(await feed(true, inThree)).toEqual(await feed(false, inThree));
    expect(await feed(true, inThree)).toMatchObject({ messages: ['x'.repeat(40)], errors: [] });
  });

  it('a stream that is not a TCP or TLS socket keeps its Readable (it reads only when asked)', () => {
    const { socket, direct } = handFed();
    expect(direct).toBe(true);
    expect(Object.hasOwn(socket, 'push')).toBe(false);
    socket.destroy();
  });

  it('a socket paused mid-frame and then closed: ws still gets every message, in order', async () => {
    const { socket, ws, got, direct } = handFed();
    expect(direct).toBe(true);
    ws.on('message', (data) => {
      if (String(data) === 'A') ws.pause();
    });
    const b = clientFrame(1, Buffer.from('BBBBBBBB'));
    socket.push(Buffer.concat([clientFrame(1, Buffer.from('A')), b.subarray(0, 5)]));
    await tick();
    socket.push(Buffer.concat([b.subarray(5), clientFrame(1, Buffer.from('C'))])); // stays buffered
    await tick();
    socket.destroy();
    await got.closed;
    expect(got.messages.map((m) => m.data)).toEqual(['A', 'BBBBBBBB', 'C']);
  });

  it('a listener that throws loses nothing: the rest of the chunk is read on the next tick', async () => {
    const { socket, ws, got } = handFed();
    const thrown: unknown[] = [];
    ws.on('message', (data) => {
      if (String(data) === 'A') throw new Error('bug in a handler');
    });
    const c = clientFrame(1, Buffer.from('{"event":"media","media":{"payload":"xxxxxxxxxxxxxxxx"}}'));
    await tick(); // flowing: a push now emits 'data' at once, so the throw comes back here
    try {
      socket.push(
        Buffer.concat([
          clientFrame(1, Buffer.from('A')),
          clientFrame(1, Buffer.from('B')),
          c.subarray(0, 20),
        ]),
      );
    } catch (err) {
      thrown.push(err);
    }
    await tick();
    socket.push(Buffer.concat([c.subarray(20), clientFrame(1, Buffer.from('D'))]));
    await tick();
    expect((thrown[0] as Error | undefined)?.message).toBe('bug in a handler');
    expect(got.messages.map((m) => m.data)).toEqual([
      'A',
      'B',
      '{"event":"media","media":{"payload":"xxxxxxxxxxxxxxxx"}}',
      'D',
    ]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    socket.destroy();
  });
});

describe("readFramesDirectly: chunks straight from the socket's push, not through its Readable", () => {
  /** The socket's 'data' emits: the Readable's way of handing a chunk on. */
  const countDataEmits = (socket: Duplex) => countEmits(socket, 'data');

  it('a flowing socket with only our listener: chunks skip the Readable; another listener puts it back', async () => {
    const { socket, ws, direct } = await acceptDirect();
    expect(direct).toBe(true);
    const got = record(ws);
    const server = (ws as unknown as { _socket: Duplex })._socket;
    const emits = countDataEmits(server);
    socket.write(clientFrame(1, Buffer.from('one')));
    await until(() => got.messages.length === 1);
    socket.write(clientFrame(1, Buffer.from('two')));
    await until(() => got.messages.length === 2);
    expect(emits.count).toBe(0);
    // Someone else wants the bytes too: from now on every chunk is emitted, to both.
    const seen: Buffer[] = [];
    server.on('data', (chunk: Buffer) => seen.push(chunk));
    const three = clientFrame(1, Buffer.from('three'));
    socket.write(three);
    await until(() => got.messages.length === 3);
    expect(emits.count).toBeGreaterThan(0);
    // The same chunk (its payload unmasked in place by the reader, which hears it first).
    const chunk = Buffer.concat(seen);
    expect(chunk.subarray(0, 6).equals(three.subarray(0, 6))).toBe(true);
    expect(chunk.subarray(6).toString()).toBe('three');
    expect(got.messages.map((m) => m.data)).toEqual(['one', 'two', 'three']);
  });

  it('a paused socket keeps what arrives and gives it back in order on resume, then skips again', async () => {
    const { socket, ws, direct } = await acceptDirect();
    expect(direct).toBe(true);
    const got = record(ws);
    const server = (ws as unknown as { _socket: Duplex })._socket;
    socket.write(clientFrame(1, Buffer.from('before')));
    await until(() => got.messages.length === 1);
    ws.pause();
    socket.write(
      Buffer.concat([clientFrame(1, Buffer.from('while')), clientFrame(1, Buffer.from('paused'))]),
    );
    await until(() => server.readableLength > 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(got.messages).toHaveLength(1); // held by the Readable, not read
    ws.resume();
    await until(() => got.messages.length === 3);
    const emits = countDataEmits(server);
    socket.write(clientFrame(1, Buffer.from('after')));
    await until(() => got.messages.length === 4);
    expect(emits.count).toBe(0);
    expect(got.messages.map((m) => m.data)).toEqual(['before', 'while', 'paused', 'after']);
  });

  it('a TLS client socket (a wss:// upstream) skips it too: every message, in order', async () => {
    const fixtures = path.join(import.meta.dirname, '..', 'cli', 'fixtures');
    const https = createHttpsServer({
      key: readFileSync(path.join(fixtures, 'self-signed.key')),
      cert: readFileSync(path.join(fixtures, 'self-signed.crt')),
    });
    const wss = new WebSocketServer({ server: https, perMessageDeflate: false });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => https.close(() => resolve())));
    const peer = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const port = (https.address() as { port: number }).port;
    const client = new WebSocket(`wss://127.0.0.1:${port}`, {
      rejectUnauthorized: false,
      perMessageDeflate: false,
    });
    cleanups.push(() => client.terminate());
    const got = record(client);
    await new Promise<void>((resolve) => client.once('open', () => resolve()));
    expect(readDirectly(client)).toBe(true);
    const socket = (client as unknown as { _socket: Duplex })._socket;
    expect(Object.hasOwn(socket, 'push')).toBe(true);
    const emits = countDataEmits(socket);
    const texts = Array.from({ length: 200 }, (_, i) => `${i}:` + 'p'.repeat(i % 7 === 0 ? 70_000 : 214));
    const server = await peer;
    for (const t of texts) server.send(t);
    await until(() => got.messages.length === texts.length, 10_000);
    expect(got.messages.map((m) => m.data)).toEqual(texts);
    expect(emits.count).toBe(0);
    wss.close();
  });

  it("the hand-back to ws puts the socket's own push back", async () => {
    const { socket, ws, direct } = await acceptDirect();
    expect(direct).toBe(true);
    const got = record(ws);
    const server = (ws as unknown as { _socket: Duplex })._socket;
    expect(Object.hasOwn(server, 'push')).toBe(true);
    // A fragmented message is ws's to reassemble: the connection goes back to it for good.
    socket.write(clientFrame(1, Buffer.from('frag'), { fin: false }));
    socket.write(clientFrame(0, Buffer.from('ment')));
    await until(() => got.messages.length === 1);
    expect(Object.hasOwn(server, 'push')).toBe(false);
    socket.write(clientFrame(1, Buffer.from('later')));
    await until(() => got.messages.length === 2);
    expect(got.messages.map((m) => m.data)).toEqual(['fragment', 'later']);
  });
});
