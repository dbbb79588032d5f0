// The media WebSocket on /ws/twilio-media and its trailing-slash twin, checked before the 101 (Twilio's
// x-twilio-signature over the wss:// URL; not the form-signature check). Each accepted socket is a
// CallSession, and counts for IdleMemory (memory is given back once no socket is open).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AppDeps } from './app.js';
import { CallSession } from '../call/call-session.js';
import type { IdleMemory } from './idle-memory.js';
import { sendError } from './error-reply.js';
import type { ErrorCode } from '../errors.js';
import {
  matchStreamSignature,
  publicHostOf,
  publicProtocolOf,
  streamUrlCandidates,
} from '../twilio/signature.js';
import { STREAM_PATH } from '../twilio/twiml.js';
import { answeringOrigin, forwardedHttpsOrigin, learnForwarded } from './forwarded-origin.js';

export const STREAM_PATHS = [STREAM_PATH, `${STREAM_PATH}/`] as const;

export async function mediaRoutes(
  app: FastifyInstance,
  deps: AppDeps,
  sessions: Set<CallSession>,
  idleMemory: IdleMemory,
): Promise<void> {
  const { config, metrics } = deps;
  /** Each session's remote address (request.ip: the proxy's client with TRUST_PROXY). */
  const addressOf = new WeakMap<CallSession, string>();

  /**
   * Sockets waiting for `start` cost memory and a timer each and prove nothing (an upgrade
   * signature is the same for every call, so a captured one can be replayed): capped in all and
   * per remote address. Counted at upgrade time, which is rare next to frames.
   */
  const pendingLimit = (address: string): string | undefined => {
    let all = 0;
    let fromAddress = 0;
    for (const session of sessions) {
      if (!session.awaitingStart) continue;
      all += 1;
      if (addressOf.get(session) === address) fromAddress += 1;
    }
    if (all >= config.streamMaxPending) return `${all} streams already wait for start (STREAM_MAX_PENDING)`;
    if (fromAddress >= config.streamMaxPendingPerAddress)
      return `${fromAddress} streams from this address already wait for start (STREAM_MAX_PENDING_PER_ADDRESS)`;
    return undefined;
  };

  const originOf = (request: FastifyRequest) =>
    answeringOrigin(request, {
      publicHost: config.publicHost,
      trustProxy: config.trustProxy,
      protocol: request.protocol,
      headers: request.headers,
    });

  /** The upgrade URL the signature matches: the request's own, else (nothing configured) the forwarded one. */
  const matchUpgrade = (request: FastifyRequest, signature: string) => {
    const host = publicHostOf(originOf(request));
    const candidates = host ? streamUrlCandidates(host, STREAM_PATH) : [];
    const matched = matchStreamSignature(deps.authToken, signature, candidates);
    if (matched) return { matched, candidates };
    const forwarded = forwardedHttpsOrigin(originOf(request));
    const forwardedHost = forwarded ? publicHostOf(forwarded) : undefined;
    if (!forwardedHost || forwardedHost === host) return { matched: undefined, candidates };
    const viaProxy = streamUrlCandidates(forwardedHost, STREAM_PATH);
    const learned = matchStreamSignature(deps.authToken, signature, viaProxy);
    if (learned) {
      learnForwarded(request);
      deps.forwardedOrigin.matched(learned, 'stream');
    }
    return { matched: learned, candidates: [...candidates, ...viaProxy] };
  };

  for (const url of STREAM_PATHS) {
    app.route({
      method: 'GET',
      url,
      // Runs before the upgrade: a rejection is a plain HTTP answer, never a redirect.
      onRequest: async (request, reply) => {
        if (!request.ws) return;
        const reject = (error: ErrorCode, message: string, extra: Record<string, unknown> = {}) => {
          metrics.upgrades.inc({ result: error });
          request.log.warn({ error, ...extra }, `WS_UPGRADE_REJECTED: ${message}`);
          return sendError(reply, error, message);
        };
        if (request.url.includes('?')) {
          return reject(
            'STREAM_QUERY_STRING',
            'a Twilio stream URL never has a query string (use <Parameter>)',
          );
        }
        // Draining, the instance still takes the stream of a call it answered (the load balancer
        // stops sending new ones); once calls are being handed over, none.
        if (deps.isHandingOver()) return reject('STREAM_DRAINING', 'server is shutting down; no new streams');
        const overLimit = pendingLimit(request.ip);
        if (overLimit) return reject('STREAM_PENDING_LIMIT', overLimit, { address: request.ip });
        const signature = request.headers['x-twilio-signature'];
        const signed = typeof signature === 'string' && signature !== '';
        const { matched, candidates } = signed
          ? matchUpgrade(request, signature)
          : { matched: undefined, candidates: [] as string[] };
        if (!matched) {
          const detail = { triedUrls: candidates, hasSignature: signed };
          if (config.streamSignatureMode === 'log-only') {
            request.log.warn(detail, 'WS_SIGNATURE_BAD but STREAM_SIGNATURE_CHECK=log-only: accepting');
          } else if (!signed) {
            // wscat or a browser tester: expected, and the answer says how to test for real.
            const host = publicHostOf(forwardedHttpsOrigin(originOf(request)) ?? originOf(request)) ?? 'HOST';
            return reject('STREAM_SIGNATURE_INVALID', unsignedUpgradeMessage(host), detail);
          } else {
            return reject(
              'STREAM_SIGNATURE_INVALID',
              'x-twilio-signature is not valid for the wss:// stream URL (check TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL)',
              detail,
            );
          }
        }
        metrics.upgrades.inc({ result: 'accepted' });
      },
      handler: async (_request, reply) =>
        sendError(
          reply.header('upgrade', 'websocket'),
          'STREAM_NOT_UPGRADE',
          'this is the Twilio Media Streams WebSocket; connect with a WebSocket upgrade',
        ),
      wsHandler: (socket, request) => {
        const origin = originOf(request);
        const httpOrigin = `${publicProtocolOf(origin)}://${publicHostOf(origin) ?? 'localhost'}`;
        const session = new CallSession(
          socket,
          // Request loggers are pino children of deps.log (see app.ts).
          { ...deps, log: request.log.child({ ws: true }) as unknown as Logger },
          httpOrigin,
          (s) => {
            sessions.delete(s);
            idleMemory.streamEnded();
          },
        );
        addressOf.set(session, request.ip);
        sessions.add(session);
        idleMemory.streamStarted();
      },
    });
  }
}

/**
 * An unsigned upgrade is refused, as it must be; but it is what every manual smoke test sends, so
 * the answer says that this 403 is expected and how to test the stream as Twilio would.
 */
export function unsignedUpgradeMessage(host: string): string {
  return (
    'no x-twilio-signature: Twilio signs its stream upgrade, a manual tester (wscat, a browser WebSocket ' +
    'client) does not, so this 403 is expected and says nothing about Twilio calls. To test the stream ' +
    `as Twilio would, run: npx agentlocator doctor https://${host}`
  );
}
