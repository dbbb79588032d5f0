// TextFrameBatch: hand-built text frames of every header size, read back by a real ws client.
import { describe, expect, it } from 'vitest';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { frameWrap, TextFrameBatch } from '../../src/ws/text-frames.js';
import { useCleanup } from '../support/cleanup.js';
import { until } from '../support/until.js';

const defer = useCleanup();

async function pair(): Promise<{ socket: Duplex; received: string[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as { port: number }).port;
  const server = new Promise<WebSocket>((resolve) => wss.once('connection', (ws) => resolve(ws)));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  const received: string[] = [];
  client.on('message', (data, isBinary) => {
    expect(isBinary).toBe(false);
    received.push(String(data));
  });
  await new Promise<void>((resolve) => client.once('open', () => resolve()));
  const ws = await server;
  defer(async () => {
    client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  return { socket: (ws as unknown as { _socket: Duplex })._socket, received };
}

describe('TextFrameBatch', () => {
  it('frames messages of every header size (7-bit, 16-bit, 64-bit lengths) into one write', async () => {
    const { socket, received } = await pair();
    const batch = new TextFrameBatch();
    const texts = [
      '',
      'x'.repeat(125),
      'y'.repeat(126),
      'ש'.repeat(40_000),
      'z'.repeat(70_000),
      '{"a":"ébc"}',
      '{"a":"é"}',
    ];
    batch.add(texts[0]!);
    batch.addWrapped(frameWrap('x'.repeat(100), 'x'.repeat(5)), 'x'.repeat(20));
    batch.add(texts[2]!);
    batch.add(texts[3]!); // 80 000 bytes of UTF-8
    batch.addWrapped(frameWrap('z'.repeat(10), ''), 'z'.repeat(69_990));
    batch.addWrapped(frameWrap('{"a":"é', '"}'), 'bc'); // UTF-8 in the wrap, ASCII in the middle
    batch.add(texts[6]!);
    expect(batch.size).toBe(7);
    let writes = 0;
    const write = socket.write.bind(socket);
    socket.write = ((...args: Parameters<Duplex['write']>) => {
      writes += 1;
      return write(...args);
    }) as Duplex['write'];
    batch.writeTo(socket);
    expect(writes).toBe(1);
    expect(batch.size).toBe(0);
    batch.writeTo(socket); // empty: nothing written
    expect(writes).toBe(1);
    await until(() => received.length, `${texts.length} messages`, { is: (n) => n >= texts.length });
    expect(received).toEqual(texts);
  });
});
