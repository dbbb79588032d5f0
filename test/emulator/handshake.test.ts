// Servers that get the webhook or the stream handshake wrong, each flagged with the Twilio code the
// real Twilio would report: 31920 (non-101, redirect, trailing slash, query string), 31922 (ws://),
// 31923, 31902, 31901, 31910, and on the HTTP side 11200, 11205, 12100, 12300.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TwilioEmulator } from '../../src/emulator/index.js';
import type { EmulatorOptions } from '../../src/emulator/index.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PUBLIC_HOST,
  startMiniServer,
  streamTwiml,
  xml,
  type MiniServer,
  type MiniServerOptions,
} from './support.js';
import { useCleanup } from '../support/cleanup.js';

const defer = useCleanup();

async function serve(options: MiniServerOptions): Promise<MiniServer> {
  const server = await startMiniServer(options);
  defer(() => server.close());
  return server;
}

function emulatorFor(server: MiniServer, extra: Partial<EmulatorOptions> = {}): TwilioEmulator {
  const emulator = new TwilioEmulator({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    speed: 20,
    ...extra,
    networkMap: { [`https://${PUBLIC_HOST}`]: server.origin, ...extra.networkMap },
  });
  defer(() => emulator.close());
  return emulator;
}

/** A server whose webhook answers `twiml` and whose stream status callback is recorded. */
async function callWith(
  twiml: string,
  options: Omit<MiniServerOptions, 'routes'> = {},
  extra: Partial<EmulatorOptions> = {},
) {
  const server = await serve({
    ...options,
    routes: {
      '/webhook/incoming_call': () => streamTwiml(twiml),
      '/webhook/stream_status': () => ({ status: 204 }),
      '/webhook/stream_ended': () => xml(''),
    },
  });
  const emulator = emulatorFor(server, extra);
  const result = await emulator.placeCall({
    webhookUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
    caller: { silence: false, hangUpAfterMs: 2000 },
  }).done;
  return { server, result };
}

const codes = (result: { violations: { code: number }[] }) => result.violations.map((v) => v.code);

describe('stream handshake failures', () => {
  it('flags 31920 with the status when the stream path answers 404 (no WebSocket there)', async () => {
    const { server, result } = await callWith(`wss://${PUBLIC_HOST}/ws/twilio-media`);
    expect(codes(result)).toEqual([31920]);
    expect(result.streams[0]!.failure).toMatchObject({ code: 31920, status: 404 });
    // The Stream statusCallback reports the error with its code, and the call carries on.
    const status = server.requests.find((r) => r.path === '/webhook/stream_status')!;
    expect(status.params.StreamEvent).toBe('stream-error');
    expect(status.params.StreamError).toContain('31920');
    expect(server.requests.some((r) => r.path === '/webhook/stream_ended')).toBe(true);
  });

  it('flags 31920 when the server answers the upgrade with 200 (plain HTTP, no WebSocket support)', async () => {
    const { result } = await callWith(`wss://${PUBLIC_HOST}/ws/twilio-media`, {
      onUpgrade: (_req, socket) => {
        socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nhi');
        return true;
      },
    });
    expect(codes(result)).toEqual([31920]);
    expect(result.streams[0]!.failure).toMatchObject({ status: 200 });
  });

  it('flags 31920 when the TwiML has a trailing slash the server does not serve', async () => {
    const { server, result } = await callWith(`wss://${PUBLIC_HOST}/ws/twilio-media/`, {
      wsPaths: ['/ws/twilio-media'],
    });
    expect(codes(result)).toEqual([31920]);
    expect(server.upgrades[0]!.path).toBe('/ws/twilio-media/');
  });

  it.each([301, 302])(
    'flags a %i redirect on the stream path as 31920 and records where it pointed',
    async (status) => {
      const { result } = await callWith(`wss://${PUBLIC_HOST}/ws/twilio-media`, {
        onUpgrade: (_req, socket) => {
          socket.end(
            `HTTP/1.1 ${status} Moved\r\nLocation: https://www.${PUBLIC_HOST}/ws/twilio-media\r\nContent-Length: 0\r\n\r\n`,
          );
          return true;
        },
      });
      expect(codes(result)).toEqual([31920]);
      expect(result.streams[0]!.failure).toMatchObject({
        status,
        location: `https://www.${PUBLIC_HOST}/ws/twilio-media`,
      });
      expect(result.streams[0]!.failure!.message).toMatch(/redirect/);
    },
  );

  it('flags ws:// in the TwiML as 31922 and never dials it', async () => {
    const { server, result } = await callWith(`ws://${PUBLIC_HOST}/ws/twilio-media`, {
      wsPaths: ['/ws/twilio-media'],
    });
    expect(codes(result)).toEqual([31922]);
    expect(server.upgrades).toHaveLength(0);
  });

  it('flags a query string on the stream URL as a 31920 cause and never dials it', async () => {
    const { server, result } = await callWith(`wss://${PUBLIC_HOST}/ws/twilio-media?token=abc`, {
      wsPaths: ['/ws/twilio-media'],
    });
    expect(codes(result)).toEqual([31920]);
    expect(result.violations[0]!.message).toMatch(/query string/);
    expect(server.upgrades).toHaveLength(0);
  });

  it('flags a malformed stream URL as 31923', async () => {
    const { result } = await callWith(`wss//${PUBLIC_HOST}/ws/twilio-media`);
    expect(codes(result)).toEqual([31923]);
  });

  it('flags a refused connection as 31902', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { result } = await callWith(
      `wss://down.example.com/ws`,
      {},
      {
        networkMap: { 'wss://down.example.com': `ws://127.0.0.1:${port}` },
      },
    );
    expect(codes(result)).toEqual([31902]);
  });

  it('flags an upgrade that never gets an answer as 31901', async () => {
    const { result } = await callWith(
      `wss://${PUBLIC_HOST}/ws/twilio-media`,
      { onUpgrade: () => true },
      { streamConnectTimeoutMs: 150 },
    );
    expect(codes(result)).toEqual([31901]);
  });

  it('flags a TLS failure (a plain-HTTP server on a wss:// URL) as 31910', async () => {
    const plain = await serve({ wsPaths: ['/ws'] });
    const { result } = await callWith(
      `wss://secure.example.com/ws`,
      {},
      {
        networkMap: { 'wss://secure.example.com': `wss://127.0.0.1:${plain.port}` },
      },
    );
    expect(codes(result)).toEqual([31910]);
  });

  it('flags a rejected signature (wrong auth token) as a 31920 with status 403', async () => {
    const { result } = await callWith(
      `wss://${PUBLIC_HOST}/ws/twilio-media`,
      { wsPaths: ['/ws/twilio-media'] },
      { authToken: 'some-other-token' },
    );
    expect(codes(result)).toEqual([31920]);
    expect(result.streams[0]!.failure).toMatchObject({ status: 403 });
  });
});

describe('webhook failures', () => {
  async function webhookReturning(route: MiniServerOptions['routes'], extra: Partial<EmulatorOptions> = {}) {
    const server = await serve({ routes: route });
    const emulator = emulatorFor(server, extra);
    const result = await emulator.placeCall({ webhookUrl: `https://${PUBLIC_HOST}/webhook/incoming_call` })
      .done;
    return { server, result };
  }

  it('gives up on a slow webhook with 11205 after the configured timeout', async () => {
    const { result } = await webhookReturning(
      { '/webhook/incoming_call': () => ({ ...xml('<Hangup/>'), delayMs: 600 }) },
      { webhookTimeoutMs: 150 },
    );
    expect(codes(result)).toEqual([11205]);
    expect(result.endedBy).toBe('error');
    expect(result.timeline.some((e) => e.kind === 'application-error')).toBe(true);
  });

  it('flags a non-XML body as 12100', async () => {
    const { result } = await webhookReturning({
      '/webhook/incoming_call': () => ({ type: 'text/xml', body: 'Internal error: stack trace…' }),
    });
    expect(codes(result)).toEqual([12100]);
  });

  it('flags XML without a <Response> root as 12100', async () => {
    const { result } = await webhookReturning({
      '/webhook/incoming_call': () => ({ type: 'text/xml', body: '<html><body>hello</body></html>' }),
    });
    expect(codes(result)).toEqual([12100]);
  });

  it('flags a JSON content type as 12300', async () => {
    const { result } = await webhookReturning({
      '/webhook/incoming_call': () => ({ type: 'application/json', body: '{"ok":true}' }),
    });
    expect(codes(result)).toEqual([12300]);
  });

  it('flags a non-2xx answer as 11200 and tries the fallback URL', async () => {
    const server = await serve({
      routes: {
        '/webhook/incoming_call': () => ({ status: 500, type: 'text/plain', body: 'boom' }),
        '/webhook/fallback': () => xml('<Say>sorry</Say>'),
      },
    });
    const emulator = emulatorFor(server);
    const result = await emulator.placeCall({
      webhookUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
      fallbackUrl: `https://${PUBLIC_HOST}/webhook/fallback`,
    }).done;
    expect(codes(result)).toEqual([11200]);
    const fallback = server.requests.find((r) => r.path === '/webhook/fallback')!;
    expect(fallback.params).toMatchObject({
      ErrorCode: '11200',
      ErrorUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
    });
    expect(fallback.signatureOk).toBe(true);
    expect(result.timeline.some((e) => e.kind === 'say')).toBe(true);
  });

  it('flags a greeting that answers 404 as 11200 and still connects the stream', async () => {
    const server = await serve({
      wsPaths: ['/ws/twilio-media'],
      routes: {
        '/webhook/incoming_call': () =>
          xml(
            `<Play>https://${PUBLIC_HOST}/static/tts/greeting_he.mp3</Play>` +
              `<Connect><Stream url="wss://${PUBLIC_HOST}/ws/twilio-media"/></Connect>`,
          ),
      },
    });
    const emulator = emulatorFor(server);
    const call = emulator.placeCall({ webhookUrl: `https://${PUBLIC_HOST}/webhook/incoming_call` });
    await call.waitFor('start-sent');
    const result = await call.hangUp();
    expect(codes(result)).toEqual([11200]);
    expect(result.timeline.find((e) => e.kind === 'play-fetch')!.detail).toMatchObject({
      ok: false,
      status: 404,
    });
    expect(result.streams[0]!.failure).toBeUndefined();
  });

  it('flags a greeting served as text/html as 12300', async () => {
    const server = await serve({
      routes: {
        '/webhook/incoming_call': () => xml(`<Play>https://${PUBLIC_HOST}/greeting.mp3</Play>`),
        '/greeting.mp3': () => ({ type: 'text/html', body: '<html></html>' }),
      },
    });
    const result = await emulatorFor(server).placeCall({
      webhookUrl: `https://${PUBLIC_HOST}/webhook/incoming_call`,
    }).done;
    expect(codes(result)).toEqual([12300]);
  });
});
