// attachDirectFrames on both ends of real ws connections, with the fast path on and off
// (WS_DIRECT_FRAMES=false): the same messages arrive at the same listener, in the same order,
// sent ones interleaved with ws's own sends; off, ws's socket is left exactly as ws set it up.
import { afterEach, describe, expect, it } from 'vitest';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { attachDirectFrames } from '../../src/ws/direct-frames.js';
import { frameWrap } from '../../src/ws/text-frames.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const until = async (check: () => boolean) => {
  const end = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Duplex })._socket;

/** A connection whose `side` is attached (enabled or not); the other end records what it gets. */
async function attached(side: 'server' | 'client', enabled: boolean) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  cleanups.push(() => wss.close());
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, {
    perMessageDeflate: false,
  });
  cleanups.push(() => client.terminate());
  await new Promise<void>((resolve) => client.once('open', () => resolve()));
  const server = await accepted;
  const [mine, peer] = side === 'server' ? [server, client] : [client, server];
  const heard: string[] = [];
  const frames = attachDirectFrames(
    mine,
    (data, binary) => heard.push(`${binary ? 'b' : 't'}:${String(data)}`),
    {
      enabled,
    },
  );
  const peerGot: string[] = [];
  peer.on('message', (data) => peerGot.push(String(data)));
  return { mine, peer, frames, heard, peerGot };
}

describe.each([
  ['server', true],
  ['server', false],
  ['client', true],
  ['client', false],
] as const)('attachDirectFrames, %s side, enabled %s', (side, enabled) => {
  it('delivers what the peer sends to the listener, in order, text and binary', async () => {
    const { frames, mine, peer, heard } = await attached(side, enabled);
    expect(frames.direct).toBe(enabled);
    let emits = 0;
    const emit = mine.emit.bind(mine);
    mine.emit = ((event: string, ...args: unknown[]) => {
      if (event === 'message') emits += 1;
      return emit(event, ...args);
    }) as typeof mine.emit;
    const texts = ['', 'short', 'ש'.repeat(20_000), 'z'.repeat(70_000)];
    for (const t of texts) peer.send(t);
    peer.send(Buffer.from('bin'), { binary: true });
    await until(() => heard.length === texts.length + 1);
    expect(heard).toEqual([...texts.map((t) => `t:${t}`), 'b:bin']);
    // Direct: the listener is called without ws's emit (a megamorphic lookup per message).
    expect(emits).toBe(enabled ? 0 : heard.length);
  });

  it('sends, queues and flushes in order with ws.send, strings and wrapped messages alike', async () => {
    const { frames, mine, peerGot } = await attached(side, enabled);
    const wrap = frameWrap('{"audio":"', '"}');
    frames.send('one');
    mine.send('two (ws)');
    frames.queue('three');
    frames.queueWrapped(wrap, 'QUJD');
    frames.queue('ג'.repeat(40_000));
    frames.flush();
    frames.send({ wrap, ascii: 'A'.repeat(200) });
    frames.flush(); // nothing queued: nothing sent
    await until(() => peerGot.length === 6);
    expect(peerGot).toEqual([
      'one',
      'two (ws)',
      'three',
      '{"audio":"QUJD"}',
      'ג'.repeat(40_000),
      `{"audio":"${'A'.repeat(200)}"}`,
    ]);
  });

  it('counts what waits to be sent, and says when the connection is no longer open', async () => {
    const { frames, mine, peer } = await attached(side, enabled);
    socketOf(peer).pause(); // the peer stops reading
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 200 && frames.queuedBytes() === 0; i++) {
      frames.send(big);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(frames.queuedBytes()).toBeGreaterThan(0);
    expect(frames.queuedBytes()).toBe(enabled ? socketOf(mine).writableLength : mine.bufferedAmount);
    expect(frames.open()).toBe(true);
    mine.terminate();
    expect(frames.open()).toBe(false);
  });
});

describe('attachDirectFrames, switched off', () => {
  it("leaves ws's socket as ws set it up: its own 'data' listener, the socket's own push", async () => {
    for (const side of ['server', 'client'] as const) {
      const off = await attached(side, false);
      expect(
        socketOf(off.mine)
          .listeners('data')
          .map((l) => l.name),
      ).toEqual(['socketOnData']);
      expect(Object.hasOwn(socketOf(off.mine), 'push')).toBe(false);
      const on = await attached(side, true);
      expect(
        socketOf(on.mine)
          .listeners('data')
          .map((l) => l.name),
      ).not.toContain('socketOnData');
      expect(Object.hasOwn(socketOf(on.mine), 'push')).toBe(true);
    }
  });

  it('client side, on: queued frames leave in one socket write', async () => {
    const { frames, mine, peerGot } = await attached('client', true);
    const socket = socketOf(mine) as Duplex & { write: Duplex['write'] };
    let writes = 0;
    const write = socket.write.bind(socket);
    socket.write = ((...args: Parameters<Duplex['write']>) => {
      writes += 1;
      return write(...args);
    }) as Duplex['write'];
    for (let i = 0; i < 5; i++) frames.queue(`m${i}`);
    frames.flush();
    expect(writes).toBe(1);
    await until(() => peerGot.length === 5);
    expect(peerGot).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });
});
