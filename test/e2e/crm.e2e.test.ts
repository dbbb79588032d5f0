// A call placed by the Twilio emulator, seen through the CRM: its live events arrive over SSE in
// order, the signed call.completed webhook reaches a receiver once, and the API lists the call
// and plays its audio.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioEmulator, startFakeTwilioRest, type FakeTwilioRest } from '../../src/emulator/index.js';
import { WEBHOOK_HEADERS, verifyWebhook } from '../../src/jobs/webhook-signature.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, freePort } from '../support/server.js';
import { openSse, type SseEvent } from '../support/sse-client.js';
import { api, startCrmTestServer, type CrmTestServer } from '../api/crm-app.js';
import { until } from '../support/until.js';

const PUBLIC = 'crm.example.com';
const SECRET = 'whsec-test-0123456789abcdef';

function voicemailFlowFile(): string {
  const file = path.join(tmpdir(), `flow-crm-voicemail-${process.pid}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      start: 'handoff',
      goodbyeNoInput: 'להתראות',
      steps: { handoff: { type: 'transfer', prompt: 'מעבירים אתכם לתא הקולי.', department: 'sales' } },
    }),
  );
  return file;
}

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('a placed call in the CRM', () => {
  let s: CrmTestServer;
  let emulator: TwilioEmulator;
  let rest: FakeTwilioRest;
  let receiver: http.Server;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    emulator = new TwilioEmulator({
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      speed: 10,
      networkMap: { [`https://${PUBLIC}`]: `http://127.0.0.1:${port}` },
    });
    rest = await startFakeTwilioRest({ emulator, authToken: TEST_AUTH_TOKEN, accountSid: TEST_ACCOUNT_SID });
    s = await startCrmTestServer({
      PORT: String(port),
      PUBLIC_HOST: PUBLIC,
      FLOW_FILE: voicemailFlowFile(),
      TWILIO_API_BASE_URL: rest.url,
      CRM_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/agentlocator?token=abc`,
      CRM_WEBHOOK_SECRET: SECRET,
    });
  });
  afterAll(async () => {
    await emulator.close();
    await rest.close();
    await s.stop();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('streams its events in order, delivers one signed call.completed and lists it with playable audio', async () => {
    const sse = await openSse(`${s.api}/events`);
    expect(sse.status).toBe(200);
    const call = emulator.placeCall({
      webhookUrl: `https://${PUBLIC}/webhook/incoming_call`,
      statusCallbackUrl: `https://${PUBLIC}/webhook/call_status`,
      statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'],
      caller: { record: { durationSec: 2, end: 'hangup' } },
    });
    await call.done;
    const callSid = call.callSid;
    const mine = (e: SseEvent) => (e.data as { callSid?: string }).callSid === callSid;
    await sse.waitFor((e) => mine(e) && e.event === 'call.ended');
    const events = sse.events.filter(mine);
    sse.close();

    const types = events.map((e) => e.event);
    const order = ['call.started', 'stream.started', 'stream.stopped', 'recording', 'call.ended'];
    const positions = order.map((t) => types.indexOf(t));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(types).toContain('call.timeline'); // the stream-ended webhook, the stream status callbacks
    const completed = events.find(
      (e) => e.event === 'call.status' && (e.data as { status: string }).status === 'completed',
    );
    expect(types.indexOf('call.status')).toBeLessThan(types.indexOf('call.ended'));
    expect(completed).toBeDefined();
    // Ids are the SSE ids, increasing in publish order.
    const seqs = events.map((e) => Number(e.id!.split('-')[1]));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(events.every((e) => (e.data as { id: string }).id === e.id)).toBe(true);

    // The webhook: once the call ended and its stream closed, signed, with the call's story.
    const deadline = Date.now() + 15_000;
    while (!received.some((r) => r.body.includes(callSid)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const deliveries = received.filter((r) => r.body.includes(callSid));
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery!.headers[WEBHOOK_HEADERS.delivery]).toBe(`call.completed:${callSid}`);
    expect(delivery!.headers[WEBHOOK_HEADERS.event]).toBe('call.completed');
    expect(
      verifyWebhook(SECRET, {
        signature: delivery!.headers[WEBHOOK_HEADERS.signature] as string,
        timestamp: delivery!.headers[WEBHOOK_HEADERS.timestamp] as string,
        body: delivery!.body,
      }),
    ).toBe(true);
    const payload = JSON.parse(delivery!.body) as Record<string, unknown>;
    expect(payload).toMatchObject({
      id: `call.completed:${callSid}`,
      type: 'call.completed',
      call: { callSid, status: 'completed', outcome: 'voicemail' },
      contact: { phone: (await s.store.getCall(callSid))!.fromNumber },
      lead: null,
      transcriptUrl: `https://${PUBLIC}/api/v1/calls/${callSid}`,
    });
    const recordings = payload.recordings as { source: string; audioUrl: string }[];
    expect(recordings.map((r) => r.source).sort()).toEqual(['call-audio', 'voicemail']);
    expect(recordings.every((r) => r.audioUrl.startsWith(`https://${PUBLIC}/api/v1/recordings/`))).toBe(true);
    expect(delivery!.body).not.toContain('api.twilio.com');
    // The receiver has answered 200; the sender marks the row delivered right after.
    const delivered = await until(
      async () => (await s.store.getOutboxItem(`call.completed:${callSid}`))?.deliveredAt,
      'the outbox row to be marked delivered',
    );
    expect(delivered).toBeInstanceOf(Date);

    // The API lists it, and the call's own audio plays.
    const list = await api<{ items: { callSid: string; outcome: string }[] }>(s, '/calls?outcome=voicemail');
    expect(list.body.items.map((c) => c.callSid)).toContain(callSid);
    const detail = await api<{ recordings: { source: string; audioUrl: string }[] }>(s, `/calls/${callSid}`);
    const own = detail.body.recordings.find((r) => r.source === 'call-audio')!;
    const audio = await fetch(`${s.origin}${own.audioUrl}`, { headers: { range: 'bytes=0-11' } });
    expect(audio.status).toBe(206);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    expect(
      Buffer.from(await audio.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('RIFF');
  });
});
