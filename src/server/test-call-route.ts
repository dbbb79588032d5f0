// GET /api/v1/test-call (WebSocket), inside the API's scope: the dashboard's test call. Before
// the 101: an admin signed in with a session (no API key), the browser's Origin naming this server
// (a page elsewhere must not open it with the admin's cookie), not draining, one live test call per
// session. After: the socket is the caller's phone on a call through the server's own Twilio
// emulator (src/test-call/).
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from './app.js';
import { sendError } from './error-reply.js';
import type { ErrorCode } from '../errors.js';
import type { TestCalls } from '../test-call/test-calls.js';
import { principalOf, requireRole } from '../api/principal.js';
import { sidHash } from '../api/session-store.js';

export interface TestCallCaller {
  /** One live test call per key: the admin's session. */
  sessionKey: string;
  userId: number;
}

/** The admin asking (requireRole has let only a session's admin through). */
function callerOf(request: FastifyRequest): TestCallCaller {
  const principal = principalOf(request);
  if (principal.kind !== 'session') throw new Error('test call without a session (requireRole is missing)');
  return { sessionKey: sidHash(request.session.sessionId), userId: principal.user.id };
}

/** The host[:port] a URL's authority means, default port dropped, lower-cased. */
function authorityOf(scheme: string, host: string): string | undefined {
  try {
    return new URL(`${scheme}//${host}`).host;
  } catch {
    return undefined;
  }
}

/**
 * The browser sends the Origin of the page that opened the socket. Same-origin means it names the
 * host this request was sent to (or the configured public host, or the proxy's forwarded host when
 * proxies are trusted). Schemes are not compared: a TLS proxy makes the request http while the
 * page was https, and the host alone is what a page elsewhere cannot fake.
 */
export function isOwnOrigin(
  origin: string | undefined,
  request: { host: string | undefined; forwardedHost: string | undefined },
  config: { publicHost: string | undefined; trustProxy: boolean },
): boolean {
  if (!origin || !URL.canParse(origin)) return false;
  const page = new URL(origin);
  if (page.protocol !== 'http:' && page.protocol !== 'https:') return false;
  const own = [request.host, config.publicHost, config.trustProxy ? request.forwardedHost : undefined];
  return own.some(
    (host) => host !== undefined && authorityOf(page.protocol, host.split(',')[0]!.trim()) === page.host,
  );
}

/** http://address:port the server listens on, as the emulator dials it from inside the process. */
function loopbackOrigin(server: FastifyInstance): string {
  const address = server.server.address() as AddressInfo;
  const any = address.address === '0.0.0.0' || address.address === '::';
  const host = any ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export function testCallRoute(deps: AppDeps, testCalls: TestCalls) {
  const ownOrigin = (request: FastifyRequest) => {
    const header = (name: string) => {
      const v = request.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    return isOwnOrigin(
      header('origin'),
      { host: header('host'), forwardedHost: header('x-forwarded-host') },
      deps.config,
    );
  };
  return async function routes(scope: FastifyInstance): Promise<void> {
    scope.route({
      method: 'GET',
      url: '/test-call',
      // Before the upgrade: a refusal is a plain HTTP answer the browser's WebSocket reports as failed.
      onRequest: [
        requireRole('admin', { sessionOnly: true }),
        async (request, reply) => {
          const refuse = (code: ErrorCode, why: string) => {
            request.log.warn({ refused: code, why }, 'TEST_CALL_REFUSED');
            return sendError(reply, code);
          };
          const caller = callerOf(request);
          // Browsers send Origin with every WebSocket; a same-origin plain GET (the dashboard asking
          // why its socket was refused) carries none, and only ever gets these answers or a 426.
          if (request.ws && !ownOrigin(request))
            return refuse('TEST_CALL_ORIGIN', 'Origin is not this server');
          if (deps.isDraining()) return refuse('STREAM_DRAINING', 'server is shutting down');
          const refusal = testCalls.refusal(caller.sessionKey);
          if (refusal === 'busy') return refuse('TEST_CALL_BUSY', 'a test call is live for this session');
          if (refusal === 'full') return refuse('TEST_CALL_FULL', 'too many live test calls');
        },
      ],
      handler: async (_request, reply) =>
        sendError(
          reply.header('upgrade', 'websocket'),
          'TEST_CALL_NOT_UPGRADE',
          'the test call is a WebSocket (the dashboard opens it); connect with an upgrade',
        ),
      wsHandler: (socket, request) => {
        testCalls.start(socket, { ...callerOf(request), loopbackOrigin: loopbackOrigin(request.server) });
      },
    });
  };
}
