// The ceiling the load bench compares AgentLocator with: the smallest Twilio ⇄ Realtime forwarder
// one can write on `ws`. Caller media goes upstream as input_audio_buffer.append (queued until the
// upstream is open, never dropped); each audio delta comes back as media + mark in one corked write.
// No checks, no store, no logging, no recording. GET /stats: event-loop delay since the last ask.
// Run: node --import tsx bench/bare-relay.ts --port 8080 --upstream ws://127.0.0.1:9000/v1/realtime
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1] ?? '';
const port = Number(arg('--port'));
const upstreamUrl = `${arg('--upstream')}?model=gpt-realtime`;
/**
 * Calibration only (bench/ab.ts --b-env BENCH_BUSY_US=2): this much busy work per caller frame,
 * to see what a µs of extra work per frame costs in the bench's figure (the kernel's share moves
 * with it: see bench/README.md).
 */
const busyUs = Number(process.env.BENCH_BUSY_US ?? 0);
const busy = () => {
  const until = performance.now() + busyUs / 1000;
  while (performance.now() < until);
};

const SESSION_UPDATE = JSON.stringify({
  type: 'session.update',
  session: {
    type: 'realtime',
    audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } },
  },
});

// Same resolution as prom-client's default in AgentLocator, so the two figures compare.
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

const http = createServer((req, res) => {
  if (req.url !== '/stats') return void res.writeHead(404).end();
  const body = JSON.stringify({ p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 });
  delay.reset();
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
});

const wss = new WebSocketServer({ server: http, perMessageDeflate: false });

wss.on('connection', (twilio) => {
  const socket = (twilio as unknown as { _socket: Duplex })._socket;
  let streamSid = '';
  let marks = 0;
  const early: string[] = [];
  const upstream = new WebSocket(upstreamUrl, {
    headers: { authorization: 'Bearer sk-bench' },
    perMessageDeflate: false,
  });
  upstream.on('open', () => {
    upstream.send(SESSION_UPDATE);
    for (const append of early) upstream.send(append);
    early.length = 0;
  });
  upstream.on('message', (data) => {
    const event = JSON.parse(String(data)) as { type: string; delta?: string };
    if (event.type !== 'response.output_audio.delta' || twilio.readyState !== WebSocket.OPEN) return;
    socket.cork();
    twilio.send(`{"event":"media","streamSid":"${streamSid}","media":{"payload":"${event.delta}"}}`);
    twilio.send(`{"event":"mark","streamSid":"${streamSid}","mark":{"name":"m${++marks}"}}`);
    socket.uncork();
  });
  upstream.on('error', () => twilio.terminate());
  upstream.on('close', () => twilio.close());
  twilio.on('message', (data) => {
    const msg = JSON.parse(String(data)) as {
      event: string;
      media?: { payload: string };
      start?: { streamSid: string };
    };
    if (msg.event === 'media') {
      if (busyUs > 0) busy();
      const append = `{"type":"input_audio_buffer.append","audio":"${msg.media!.payload}"}`;
      if (upstream.readyState === WebSocket.OPEN) upstream.send(append);
      else early.push(append);
    } else if (msg.event === 'start') streamSid = msg.start!.streamSid;
  });
  twilio.on('close', () => upstream.terminate());
  twilio.on('error', () => undefined);
});

http.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
