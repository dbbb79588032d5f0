// A small AgentLocator-shaped server for the doctor tests (node http + ws): healthy by default
// (signed webhooks, TwiML with <Play> and <Connect><Stream>, a signed media WebSocket on both
// paths that talks with media + marks, a <Record> voicemail), with one knob per cause of a silent call.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import twilio from 'twilio';
import { WebSocketServer, type WebSocket } from 'ws';

export const FAKE_TOKEN = 'fake-agentlocator-token-0123456789';
export const FAKE_ACCOUNT = `AC${'5'.repeat(32)}`;
/** 400 bytes that read as a 32 kbit/s MPEG-1 layer III file (a tenth of a second). */
const GREETING = Buffer.concat([Buffer.from([0xff, 0xfb, 0x10, 0x00]), Buffer.alloc(396)]);

export interface FakeOptions {
  /** The <Stream url>; default wss://<host>/ws/twilio-media. */
  streamUrl?: (host: string) => string;
  /** Replaces the whole incoming_call answer (inside <Response>). */
  incomingTwiml?: (host: string) => string;
  /** Paths that take the WebSocket; default both twins. */
  wsPaths?: string[];
  /** Answers every upgrade with this raw HTTP response instead (a redirect, a plain page). */
  upgradeAnswer?: (host: string) => string;
  /** Which signature the upgrade must carry: Twilio's (over wss://, default) or the webhook form check's. */
  upgradeSignature?: 'twilio' | 'form';
  webhookDelayMs?: number;
  greetingStatus?: number;
  /** Put this streamSid on every outbound frame instead of the one from `start`. */
  outboundStreamSid?: string;
  acceptUnsignedWebhooks?: boolean;
}

export interface FakeServer {
  origin: string;
  host: string;
  upgrades: string[];
  /** Every signed webhook that was accepted: its path and form parameters. */
  webhooks: { path: string; params: Record<string, string> }[];
  close(): Promise<void>;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function xml(res: http.ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`);
}

/** Streams a little "speech" (media + mark every 100 ms) once `start` arrives; closes on `stop`. */
function talk(ws: WebSocket, override: string | undefined): void {
  let timer: NodeJS.Timeout | undefined;
  let n = 0;
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { event: string; streamSid?: string };
    if (msg.event === 'start' && msg.streamSid) {
      const sid = override ?? msg.streamSid;
      timer = setInterval(() => {
        n += 1;
        const payload = Buffer.alloc(800, 0x7f).toString('base64');
        ws.send(JSON.stringify({ event: 'media', streamSid: sid, media: { payload } }));
        ws.send(JSON.stringify({ event: 'mark', streamSid: sid, mark: { name: `m${n}` } }));
      }, 100);
    } else if (msg.event === 'stop') {
      clearInterval(timer);
      ws.close(1000, 'stop received');
    }
  });
  ws.on('close', () => clearInterval(timer));
}

export async function startFake(opts: FakeOptions = {}): Promise<FakeServer> {
  const upgrades: string[] = [];
  const webhooks: FakeServer['webhooks'] = [];
  const wsPaths = opts.wsPaths ?? ['/ws/twilio-media', '/ws/twilio-media/'];
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<Duplex>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const path = (req.url ?? '/').split('?')[0]!;
        const host = first(req.headers['x-forwarded-host']) ?? req.headers.host ?? '';
        const scheme = first(req.headers['x-forwarded-proto']) ?? 'http';
        if (req.method === 'GET' && path === '/readyz') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ db: 'ok', twilio: 'ok', agent: 'ok' }));
        }
        if (req.method === 'GET' && path === '/static/tts/greeting_he.mp3') {
          const status = opts.greetingStatus ?? 200;
          res.writeHead(status, { 'content-type': status === 200 ? 'audio/mpeg' : 'text/plain' });
          return res.end(status === 200 ? GREETING : 'not found');
        }
        if (req.method !== 'POST' || !path.startsWith('/webhook/')) {
          res.writeHead(404);
          return res.end();
        }
        const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        const signature = first(req.headers['x-twilio-signature']);
        const signedUrl = `${scheme}://${host}${req.url ?? '/'}`;
        if (!opts.acceptUnsignedWebhooks) {
          if (!signature) {
            res.writeHead(400);
            return res.end('signature required');
          }
          if (!twilio.validateRequest(FAKE_TOKEN, signature, signedUrl, params)) {
            res.writeHead(403);
            return res.end('bad signature');
          }
        }
        webhooks.push({ path, params });
        if (path === '/webhook/incoming_call') {
          if (opts.webhookDelayMs) await new Promise((r) => setTimeout(r, opts.webhookDelayMs));
          if (res.destroyed) return;
          if (opts.incomingTwiml) return xml(res, opts.incomingTwiml(host));
          const stream = opts.streamUrl?.(host) ?? `wss://${host}/ws/twilio-media`;
          return xml(
            res,
            `<Play>${scheme}://${host}/static/tts/greeting_he.mp3</Play>` +
              `<Connect action="/webhook/stream_ended"><Stream url="${stream.replace(/&/g, '&amp;')}">` +
              `<Parameter name="call_sid" value="${params.CallSid ?? ''}"/></Stream></Connect>`,
          );
        }
        if (path === '/webhook/stream_ended') {
          if (params.CallStatus !== 'in-progress') return xml(res, '');
          return xml(
            res,
            '<Say>Leave a message</Say><Record action="/webhook/handle_recording" maxLength="30"/>',
          );
        }
        res.writeHead(204);
        res.end();
      })();
    });
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0]!;
    upgrades.push(req.url ?? '/');
    const host = first(req.headers['x-forwarded-host']) ?? req.headers.host ?? '';
    const refuse = (status: number, text: string) =>
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    if (opts.upgradeAnswer) return socket.end(opts.upgradeAnswer(host));
    if (!wsPaths.includes(path)) return refuse(404, 'Not Found');
    const signature = first(req.headers['x-twilio-signature']) ?? '';
    // A naive webhook middleware rebuilds the URL from the socket's scheme: http://host/path.
    const signedOver =
      opts.upgradeSignature === 'form'
        ? `http://${req.headers.host ?? ''}${req.url ?? ''}`
        : `wss://${host}${path}`;
    if (!twilio.validateRequest(FAKE_TOKEN, signature, signedOver, {})) return refuse(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => talk(ws, opts.outboundStreamSid));
  });
  server.on('connection', (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    upgrades,
    webhooks,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
