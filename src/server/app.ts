// buildApp(deps): the Fastify application with every route, no listen (tests use port 0).
// The only folder that knows Fastify is src/server/.
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import websocket from '@fastify/websocket';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import type { AgentFactory } from '../agents/agent.js';
import type { TwilioCallsApi } from '../twilio/rest.js';
import { CallEvents } from '../call/call-events.js';
import type { CallSession } from '../call/call-session.js';
import type { TransferDesk } from '../call/transfer/transfer-desk.js';
import type { Whisper } from '../call/transfer/whisper.js';
import { AppError } from '../errors.js';
import { Gauge } from 'prom-client';
import { sendError } from './error-reply.js';
import { createMetrics, type Metrics } from './metrics.js';
import { IdleMemory } from './idle-memory.js';
import { webhookRoutes } from './webhooks/index.js';
import { mediaRoutes } from './media-route.js';
import { checkReadiness, healthRoutes } from './health-routes.js';
import { staticRoutes, type GreetingSource } from './static-routes.js';
import { apiPlugin } from '../api/api-plugin.js';
import { crmRoutes } from '../api/crm-routes.js';
import { settingsRoutes } from '../api/settings.js';
import { VERSION } from '../version.js';
import { transcriptionStatus } from '../jobs/transcription-status.js';
import type { Router } from '../routing/router.js';
import { callControlRoutes } from './call-control-routes.js';
import { recordingAudioFor } from '../recordings/recording-audio.js';
import { agentScopeOf, principalOf } from '../api/principal.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { TestCalls } from '../test-call/test-calls.js';
import { testCallRoute } from './test-call-route.js';
import type { EventBus } from '../bus/event-bus.js';
import { createLocalBus } from '../bus/local-bus.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { openBlobStore } from '../blobs/open-blobs.js';
import { publishLiveEvents } from '../bus/live-events.js';
import { announceCallEnded, relayCalls } from './call-relay.js';
import { CallCapacity } from '../call/call-capacity.js';
import { ForwardedOriginNotice } from './forwarded-origin.js';

export interface AppDeps {
  config: Config;
  log: Logger;
  store: Store;
  /** The token signatures are checked with: Twilio's, or the local one. */
  authToken: string;
  authTokenSource: 'env' | 'local';
  agents: AgentFactory;
  twilioCalls: TwilioCallsApi | undefined;
  events: CallEvents;
  /** The cluster's bus (src/bus/): what must reach the instance holding a call, and live events. */
  bus: EventBus;
  /** Where recordings are kept so every instance serves them (src/blobs/). */
  blobs: BlobStore;
  metrics: Metrics;
  /** Transfers to a person: their <Dial> callbacks, and the whisper on the agents' legs. */
  transfers: TransferDesk;
  /** Routes a transfer asked for outside a call's agent (the dashboard's Transfer button). */
  router: Router;
  whisper: Whisper;
  greeting: GreetingSource;
  isDraining: () => boolean;
  /** The drain's deadline passed: live calls are being handed over, no stream is taken any more. */
  isHandingOver: () => boolean;
  /** MAX_CALLS: the calls this instance holds. */
  capacity: CallCapacity;
  /** Logs once which forwarded https URL a signature matched (no PUBLIC_BASE_URL, no TRUST_PROXY). */
  forwardedOrigin: ForwardedOriginNotice;
  redisHealth?: () => Promise<'ok' | 'error'>;
  /** A status callback reported the call over: end its stream if one is still open. */
  onCallEnded?: (callSid: string) => void;
  /** The REST API of a test call (the in-process emulator); undefined for real calls. */
  restFor?: (callSid: string) => TwilioCallsApi | undefined;
}

export type AppDepsInput = Omit<
  AppDeps,
  | 'events'
  | 'bus'
  | 'blobs'
  | 'metrics'
  | 'isDraining'
  | 'isHandingOver'
  | 'capacity'
  | 'forwardedOrigin'
  | 'onCallEnded'
  | 'restFor'
> &
  Partial<Pick<AppDeps, 'events' | 'bus' | 'blobs' | 'metrics'>>;

export interface BuiltApp {
  app: FastifyInstance;
  deps: AppDeps;
  sessions: Set<CallSession>;
  /**
   * /readyz 503 at once; live calls go on up to timeoutMs; then each is handed over to another
   * instance (a REST update to a new stream), and only one that cannot be moved is closed (1001).
   */
  drain(timeoutMs: number): Promise<void>;
}

/** Twilio's largest headers (signature, forwarded-for chain) are far below this. */
const MAX_HEADER_BYTES = 16 * 1024;

const CLIENT_ERRORS: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'request headers larger than 16 KiB'],
};

/**
 * Errors before a request exists (timeouts, oversized or malformed headers): a short answer, one
 * log line (Fastify's own handler logs at trace only), and the socket closed.
 */
function clientErrorHandler(log: Logger) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'malformed HTTP request'];
    const address = (socket as Partial<Socket>).remoteAddress;
    log.warn({ code: err.code, status, address }, `HTTP_CLIENT_ERROR: ${message}`);
    if (socket.writable) {
      const body = JSON.stringify({ error: err.code ?? 'BAD_REQUEST', message });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

/** How long a handed-over stream may take to be ended by Twilio before it is closed here. */
const HANDOVER_WAIT_MS = 10_000;

/** What the Settings page says about transcription: on or off, and to which host. */
function transcriptionOf(config: Config): { enabled: boolean; analysis: boolean; host: string | null } {
  const status = transcriptionStatus(config);
  return { enabled: status.transcription, analysis: status.analysis, host: status.transcribeHost };
}

export async function buildApp(input: AppDepsInput): Promise<BuiltApp> {
  const sessions = new Set<CallSession>();
  let draining = false;
  let handingOver = false;
  const events = input.events ?? new CallEvents();
  // Without a bus given (tests, one instance) the app is its own cluster of one.
  const bus = input.bus ?? createLocalBus();
  const metrics = input.metrics ?? createMetrics();
  const capacity = new CallCapacity({
    maxCalls: input.config.ops.maxCalls,
    streamTimeoutMs: input.config.ops.callStreamTimeoutMs,
    metrics,
    onStreamTimeout: (callSid) =>
      input.log.info(
        { callSid, timeoutMs: input.config.ops.callStreamTimeoutMs },
        'CAPACITY_STREAM_TIMEOUT: no stream came here for this call; it no longer counts',
      ),
  });
  const testCalls = new TestCalls({
    authToken: input.authToken,
    accountSid: input.config.twilioAccountSid,
    publicHost: input.config.publicHost,
    log: input.log,
    store: input.store,
    events,
  });
  const deps: AppDeps = {
    ...input,
    events,
    bus,
    blobs: input.blobs ?? openBlobStore(input.config),
    restFor: (callSid) => testCalls.restFor(callSid),
    metrics,
    isDraining: () => draining,
    isHandingOver: () => handingOver,
    capacity,
    forwardedOrigin: new ForwardedOriginNotice(input.log),
    onCallEnded: (callSid) => {
      capacity.release(callSid, 'call-ended');
      deps.events.publish({ type: 'call.ended', callSid, at: new Date() });
      // The stream may be on any instance: the bus tells them all (this one too, but without
      // waiting on the bus: a Redis outage must not keep a finished call's stream open here).
      announceCallEnded(bus, callSid);
      for (const s of sessions) if (s.sids.callSid === callSid) s.close(1000, 'call ended');
      // Whatever agent lines the call still holds (a leg the callbacks never ended) are freed.
      input.transfers
        .callEnded(callSid)
        .catch((err: unknown) => input.log.error({ err, callSid }, 'TRANSFER_NOTE_FAILED'));
      try {
        input.agents.release?.(callSid);
      } catch (err) {
        input.log.error({ err, callSid }, 'AGENT_RELEASE_FAILED');
      }
    },
  };

  const app = Fastify({
    // Fastify types its logger as FastifyBaseLogger; pino's Logger is that and more.
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    // One HTTP line per request comes from our onResponse hook (with status and ms) instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    trustProxy: deps.config.trustProxy,
    // Slow senders (slowloris) are cut: headers within headersTimeoutMs of connecting, the whole
    // request within requestTimeoutMs, checked every second (Node's default is every 30 s, so a
    // socket would outlive its deadline by up to that). Headers above 16 KiB are a 431.
    requestTimeout: deps.config.http.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(deps.config.http.headersTimeoutMs, deps.config.http.requestTimeoutMs),
      connectionsCheckingInterval: 1000,
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    clientErrorHandler: clientErrorHandler(deps.log),
    // Twilio posts plain forms; nothing here needs prototype-bearing JSON.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });

  const knownPaths = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const set = knownPaths.get(route.url) ?? new Set<string>();
    for (const m of methods) set.add(m);
    knownPaths.set(route.url, set);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (request.url === '/metrics') return;
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'HTTP',
    );
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = knownPaths.get(path);
    if (allowed) {
      const allow = [...allowed].join(', ');
      reply.header('allow', allow);
      return sendError(
        reply,
        'METHOD_NOT_ALLOWED',
        `${request.method} is not allowed on ${path}; use ${allow}`,
      );
    }
    return sendError(reply, 'NOT_FOUND', `no route ${request.method} ${path}`);
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if ((error.spec.http ?? 500) >= 500) request.log.error({ err: error }, error.code);
      else
        request.log.warn({ code: error.code, reason: error.message, url: request.url }, 'HTTP_BAD_REQUEST');
      return sendError(reply, error.code, error.message);
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'INTERNAL');
      return sendError(reply, 'INTERNAL', 'unexpected internal error (logged)');
    }
    // Fastify's own 4xx (body too large, bad content type, malformed body): say what was wrong.
    request.log.warn({ code: error.code, reason: error.message, url: request.url }, 'HTTP_BAD_REQUEST');
    return reply.code(status).send({ error: error.code ?? 'BAD_REQUEST', message: error.message });
  });

  // Every table that holds an entry per call, as one gauge: a leak is a line that only grows.
  new Gauge({
    name: 'agentlocator_call_state_entries',
    help: 'Entries in the per-call tables (sessions, agent lookups, subscribers, test calls), by table',
    labelNames: ['table'] as const,
    registers: [deps.metrics.registry],
    collect() {
      const sizes: Record<string, number> = {
        sessions: sessions.size,
        event_subscribers: events.subscribers,
        test_calls: testCalls.size,
        test_calls_by_sid: testCalls.byCallSidSize,
        ...deps.agents.stateSizes?.(),
      };
      for (const [table, n] of Object.entries(sizes)) this.set({ table }, n);
    },
  });

  await app.register(websocket, {
    options: { maxPayload: 64 * 1024, perMessageDeflate: false },
    // An error on an established socket is that call's problem; the session logs and ends it.
    errorHandler: (error, socket, request) => {
      request.log.warn({ err: error.message }, 'WS_ERROR');
      socket.terminate();
    },
  });

  const unrelay = relayCalls({ bus, sessions, agents: deps.agents, router: deps.router, log: deps.log });
  const unpublish = publishLiveEvents(events, bus, deps.log);
  app.addHook('onClose', async () => {
    unrelay();
    unpublish();
    if (!input.bus) await bus.close();
  });

  await app.register(async (scope) => healthRoutes(scope, deps));
  await app.register(async (scope) => staticRoutes(scope, deps.greeting));
  const idleMemory = new IdleMemory();
  app.addHook('onClose', async () => idleMemory.dispose());
  await app.register(async (scope) => mediaRoutes(scope, deps, sessions, idleMemory));
  await app.register(async (scope) => webhookRoutes(scope, deps));
  // The CRM API: every route inside needs a session or an API key (src/api/api-plugin.ts).
  const crm = (scope: FastifyInstance) =>
    crmRoutes(scope, {
      config: deps.config,
      log: deps.log,
      store: deps.store,
      bus: deps.bus,
      recordings: recordingAudioFor(deps.config, deps.authToken, deps.log, deps.blobs),
      principal: (request) => {
        const scoped = agentScopeOf(principalOf(request));
        // An agent user not linked to a directory agent took no calls: they see none ('').
        return scoped ? { role: 'agent', agentId: scoped.agentId ?? '' } : { role: 'admin', agentId: null };
      },
    });
  const settings = (scope: FastifyInstance) =>
    settingsRoutes(scope, {
      config: deps.config,
      store: deps.store,
      readiness: () => checkReadiness(deps, deps.log as unknown as FastifyBaseLogger),
      twilioRest: deps.twilioCalls !== undefined,
      transcription: transcriptionOf(deps.config),
      version: VERSION,
    });
  await app.register(apiPlugin, {
    prefix: '/api/v1',
    config: deps.config,
    store: deps.store,
    log: deps.log,
    routes: [crm, settings, callControlRoutes(deps), testCallRoute(deps, testCalls)],
  });
  app.addHook('onClose', async () => testCalls.close());
  await app.register(async (scope) => dashboardRoutes(scope, deps.config.dashboardDir));

  app.addHook('onClose', async () => capacity.dispose());

  const drain = async (timeoutMs: number) => {
    draining = true;
    // A test call's caller is this server: hang it up rather than wait for it.
    await testCalls.close();
    const deadline = Date.now() + timeoutMs;
    while (sessions.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    handingOver = true;
    const left = [...sessions];
    if (left.length > 0) deps.log.info({ calls: left.length }, 'DRAIN_HANDOVER: moving the calls still live');
    await Promise.all(left.map((s) => handOverOrClose(s)));
  };

  /** One call at the deadline: moved to another instance, else closed (Twilio runs voicemail). */
  const handOverOrClose = async (s: CallSession) => {
    const moved = await s.handOver({
      authToken: deps.authToken,
      publicHost: deps.config.publicHost,
      store: deps.store,
      count: (result) => metrics.handovers.inc({ result }),
    });
    // Twilio ends this stream itself once it runs the new TwiML; closing first would run the
    // <Connect action> (voicemail) instead.
    const until = Date.now() + (moved ? HANDOVER_WAIT_MS : 0);
    while (sessions.has(s) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    if (sessions.has(s)) s.close('STREAM_DRAINING', 'server shutting down');
    // Either way its end (recording, stream report) finishes before the store closes.
    await s.end(1001, 'drained');
  };

  return { app, deps, sessions, drain };
}
