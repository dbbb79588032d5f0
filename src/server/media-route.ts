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

  const originOf = (request: FastifyRequest) => ({
    publicHost: config.publicHost,
    trustProxy: config.trustProxy,
    protocol: request.protocol,
    headers: request.headers,
  });

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
        if (deps.isDraining()) return reject('STREAM_DRAINING', 'server is shutting down; no new streams');
        const overLimit = pendingLimit(request.ip);
        if (overLimit) return reject('STREAM_PENDING_LIMIT', overLimit, { address: request.ip });
        const host = publicHostOf(originOf(request));
        const candidates = host ? streamUrlCandidates(host, STREAM_PATH) : [];
        const signature = request.headers['x-twilio-signature'];
        const matched =
          typeof signature === 'string' && signature !== ''
            ? matchStreamSignature(deps.authToken, signature, candidates)
            : undefined;
        if (!matched) {
          const detail = { triedUrls: candidates, hasSignature: typeof signature === 'string' };
          if (config.streamSignatureMode === 'log-only') {
            request.log.warn(detail, 'WS_SIGNATURE_BAD but STREAM_SIGNATURE_CHECK=log-only: accepting');
          } else {
            return reject(
              'STREAM_SIGNATURE_INVALID',
              'x-twilio-signature missing or not valid for the wss:// stream URL',
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
