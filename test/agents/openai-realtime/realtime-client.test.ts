// RealtimeClient on the wire: against the fake Realtime server in echo mode, frames read off the
// socket and appends written to it by hand (src/ws/), or both through ws: everything arrives, in order.
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { RealtimeClient } from '../../../src/agents/openai-realtime/realtime-client.js';
import { realtimeEndpoint } from '../../../src/agents/openai-realtime/endpoint.js';
import { appendAudio } from '../../../src/agents/openai-realtime/client-events.js';
import type { ServerEvent } from '../../../src/agents/openai-realtime/server-events.js';
import { FakeRealtimeServer } from '../../fakes/fake-realtime-server.js';
import { until } from '../../support/until.js';

let server: FakeRealtimeServer | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  client?.close('test over');
  await server?.close();
  server = client = undefined;
});

describe.each([true, false])('RealtimeClient, direct frames %s', (directFrames) => {
  it('echo: 200 appends out, 200 deltas in, in order (by hand on the socket, or through ws)', async () => {
    server = await FakeRealtimeServer.start({ echo: true });
    client = new RealtimeClient({
      endpoint: realtimeEndpoint({ realtimeUrl: server.url, model: 'gpt-realtime', apiKey: 'sk-test' }),
      connectTimeoutMs: 2000,
      heartbeatMs: 0,
      log: pino({ level: 'silent' }),
      directFrames,
    });
    const deltas: string[] = [];
    expect(client.directFrames).toBe(false); // not open yet
    expect(await client.connect()).toEqual({ ok: true });
    expect(client.directFrames).toBe(directFrames);
    client.setHandler({
      onEvent: (e: ServerEvent) => {
        if (e.type === 'response.output_audio.delta') deltas.push(e.delta);
      },
      onClose: () => undefined,
    });
    const payloads = Array.from({ length: 200 }, (_, i) => Buffer.alloc(160, i).toString('base64'));
    for (const p of payloads) expect(client.send(appendAudio(p))).toBe(true);
    await until(() => deltas.length, 'every echo', { is: (n) => n === payloads.length });
    expect(deltas).toEqual(payloads);
    const conn = await server.connection();
    expect(conn.of('input_audio_buffer.append').map((e) => e.audio)).toEqual(payloads);
    expect(conn.errors).toEqual([]);
    client.close('done');
    expect(client.send('{"type":"response.create"}')).toBe(false);
  });
});
