// Small purpose-built servers for the emulator tests: node http + ws, each route and the upgrade
// scripted by the test, every request recorded with whether its Twilio signature checked out.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import twilio from 'twilio';
import { WebSocketServer, type WebSocket } from 'ws';

export const AUTH_TOKEN = 'emulator-test-token-0123456789ab';
export const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
export const PUBLIC_HOST = 'agents.example.com';

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  params: Record<string, string>;
  /** The public URL this server believes Twilio signed (proxy-aware). */
  signedUrl: string;
  signatureOk: boolean;
}

export interface Reply {
  status?: number;
  type?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Answer this late (for timeout tests). */
  delayMs?: number;
}

export type Route = (req: SeenRequest) => Reply | Promise<Reply>;

export interface SeenUpgrade {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The wss:// URL this server rebuilt from Host / X-Forwarded-Host. */
  expectedUrl: string;
  signatureOk: boolean;
}

export interface MiniServerOptions {
  routes?: Record<string, Route>;
  /** Paths served as WebSocket; anything else gets the `route` handling (404 by default). */
  wsPaths?: string[];
  /** Raw control of an upgrade; return true when it was handled (answered) here. */
  onUpgrade?: (req: http.IncomingMessage, socket: Duplex, seen: SeenUpgrade) => boolean;
  onSocket?: (ws: WebSocket, seen: SeenUpgrade) => void;
  /** Reject upgrades whose signature does not match (403). Default true. */
  checkUpgradeSignature?: boolean;
}

export interface MiniServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  host: string;
  requests: SeenRequest[];
  upgrades: SeenUpgrade[];
  sockets: WebSocket[];
  close(): Promise<void>;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The host and scheme Twilio used, as a server behind a TLS-terminating proxy reconstructs them. */
function publicOrigin(headers: http.IncomingHttpHeaders): { host: string; secure: boolean } {
  const host = firstValue(headers['x-forwarded-host']) ?? firstValue(headers.host) ?? '';
  const secure = firstValue(headers['x-forwarded-proto']) === 'https';
  return { host, secure };
}

export async function startMiniServer(options: MiniServerOptions): Promise<MiniServer> {
  const requests: SeenRequest[] = [];
  const upgrades: SeenUpgrade[] = [];
  const sockets: WebSocket[] = [];
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const body = Buffer.concat(chunks).toString('utf8');
        const params = Object.fromEntries(new URLSearchParams(body));
        const { host, secure } = publicOrigin(req.headers);
        const signedUrl = `${secure ? 'https' : 'http'}://${host}${req.url ?? '/'}`;
        const signature = firstValue(req.headers['x-twilio-signature']) ?? '';
        const seen: SeenRequest = {
          method: req.method ?? '',
          path: url.pathname,
          headers: req.headers,
          params,
          signedUrl,
          signatureOk: twilio.validateRequest(
            AUTH_TOKEN,
            signature,
            signedUrl,
            req.method === 'POST' ? params : {},
          ),
        };
        requests.push(seen);
        const route = options.routes?.[url.pathname];
        const reply: Reply = route
          ? await route(seen)
          : { status: 404, type: 'text/plain', body: 'not found' };
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, {
          ...(reply.type ? { 'content-type': reply.type } : {}),
          ...reply.headers,
        });
        res.end(reply.body ?? '');
      })();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const { host } = publicOrigin(req.headers);
    const expectedUrl = `wss://${host}${path}`;
    const signature = firstValue(req.headers['x-twilio-signature']) ?? '';
    const seen: SeenUpgrade = {
      path,
      headers: req.headers,
      expectedUrl,
      signatureOk: twilio.validateRequest(AUTH_TOKEN, signature, expectedUrl, {}),
    };
    upgrades.push(seen);
    if (options.onUpgrade?.(req, socket, seen)) return;
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!(options.wsPaths ?? []).includes(path)) return refuse(404, 'Not Found');
    if ((options.checkUpgradeSignature ?? true) && !seen.signatureOk) return refuse(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      options.onSocket?.(ws, seen);
    });
  });
  // Upgraded sockets leave the HTTP server's bookkeeping; track every connection to end them all.
  const connections = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    upgrades,
    sockets,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const xml = (body: string): Reply => ({
  type: 'text/xml',
  body: `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`,
});

/** A public-host TwiML for a stream at `path` with the usual Connect action. */
export function streamTwiml(streamUrl: string, extra = ''): Reply {
  return xml(
    `<Connect action="/webhook/stream_ended"><Stream url="${streamUrl}" statusCallback="/webhook/stream_status">` +
      `<Parameter name="call_sid" value="x"/></Stream></Connect>${extra}`,
  );
}

/** Resolves once the server socket has received the `start` frame; gives its streamSid. */
export function onStart(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => {
    const listener = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { event: string; streamSid?: string };
      if (msg.event === 'start' && msg.streamSid) {
        ws.off('message', listener);
        resolve(msg.streamSid);
      }
    };
    ws.on('message', listener);
  });
}
