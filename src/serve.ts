// Composition root: config → logger → store → agent → app.listen, and the SIGTERM drain.
// `npm start`, `agentlocator serve` and the end-to-end tests all start the server through here.
import type { Logger } from 'pino';
import { isLoopbackUrl, type Config } from './config.js';
import { readOrCreateLocalToken } from './local-token.js';
import { prepareDataDir } from './data-path.js';
import { AppError } from './errors.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { buildApp, type BuiltApp } from './server/app.js';
import type { AgentFactory } from './agents/agent.js';
import type { TwilioCallsApi } from './twilio/rest.js';
import { createAgentFactory } from './agents/create-agent-factory.js';
import { loadGreeting, type LoadedGreeting } from './greeting-source.js';
import { connectRedis } from './redis.js';
import { createTwilioCallsApi } from './twilio/rest-client.js';
import type { AgentLines, Router } from './routing/router.js';
import { DirectoryRouter } from './routing/directory-router.js';
import { adoptStoredDirectory, startDirectoryFile } from './routing/directory-file.js';
import { CallEvents } from './call/call-events.js';
import { recordTransferRequests } from './call/transfer/route-recorder.js';
import { TransferDesk } from './call/transfer/transfer-desk.js';
import { TransferNotes } from './call/transfer/transfer-notes.js';
import { Whisper } from './call/transfer/whisper.js';
import { publishingStore } from './call/publishing-store.js';
import { WebhookOutbox } from './jobs/webhook-outbox.js';
import { callCompletedPayload } from './api/webhook-payload.js';
import { transcriptionJobs, type TranscriptionJobsDeps } from './jobs/transcription-jobs.js';
import { openBus } from './bus/open-bus.js';
import { openBlobStore } from './blobs/open-blobs.js';
import type { EventBus } from './bus/event-bus.js';
import { createMetrics } from './server/metrics.js';
import { opsServer } from './server/health-routes.js';

export interface RunningServer {
  built: BuiltApp;
  store: Store;
  /** http://host:port the server listens on (loopback form when bound to all interfaces). */
  url: string;
  authToken: string;
  greeting: LoadedGreeting;
  /** Drains live calls (bounded by config.drainTimeoutMs), then closes everything. */
  stop(): Promise<void>;
}

export interface ServeOverrides {
  /** Tests inject fakes for external systems instead of patching modules. */
  agents?: AgentFactory;
  twilioCalls?: TwilioCallsApi;
  store?: Store;
  router?: Router;
  /** The agents' lines a transfer holds (default: the directory router's, in the store). */
  lines?: AgentLines;
  greeting?: LoadedGreeting;
  /** Other transcription and analysis clients, shorter job timings (tests). */
  transcription?: Pick<TranscriptionJobsDeps, 'transcriber' | 'analyzer' | 'timing'>;
  /** The cluster's bus (default: from REDIS_URL / DATABASE_URL, else in-process). */
  bus?: EventBus;
  /** Registers more routes before the server listens (tests mount the CRM API this way). */
  routes?: (built: BuiltApp) => Promise<void>;
}

/** Signatures made with a shorter key are guessable: refuse to start with one. */
const MIN_AUTH_TOKEN_LENGTH = 16;

/**
 * Hang-up and transfer go through Twilio's REST API, which needs the account. Without it the
 * session falls back to closing the stream (the caller reaches voicemail) and says so. The local
 * token is not Twilio's: it only goes to a REST API on this machine (the emulator's), never to
 * Twilio, whose answer would be a 401 after the token had left.
 */
function restClient(
  config: Config,
  authToken: string,
  source: 'env' | 'local',
  log: Logger,
): TwilioCallsApi | undefined {
  if (!config.twilioAccountSid) {
    log.warn(
      'TWILIO_REST_UNCONFIGURED: TWILIO_ACCOUNT_SID is not set: the agent cannot hang up or transfer through Twilio (it will end the stream instead)',
    );
    return undefined;
  }
  if (source === 'local' && !(config.twilioApiBaseUrl && isLoopbackUrl(config.twilioApiBaseUrl))) {
    log.warn(
      { baseUrl: config.twilioApiBaseUrl ?? 'https://api.twilio.com' },
      'TWILIO_REST_LOCAL_TOKEN: TWILIO_ACCOUNT_SID is set but TWILIO_AUTH_TOKEN is not: no REST client (the local token is never sent to Twilio); hang-up and transfer end the stream instead. Set TWILIO_AUTH_TOKEN',
    );
    return undefined;
  }
  return createTwilioCallsApi({
    accountSid: config.twilioAccountSid,
    authToken,
    ...(config.twilioApiBaseUrl ? { baseUrl: config.twilioApiBaseUrl } : {}),
    log,
  });
}

export async function startServer(
  config: Config,
  log: Logger,
  overrides: ServeOverrides = {},
): Promise<RunningServer> {
  const dataDir = await prepareDataDir(config.dataDir);
  if (dataDir.looseMode !== undefined) {
    log.warn(
      { dir: config.dataDir, mode: dataDir.looseMode.toString(8) },
      'DATA_DIR_PERMISSIONS: DATA_DIR can be read by other users (recordings, the database): chmod 700 it',
    );
  }
  let authToken = config.twilioAuthToken;
  const authTokenSource = authToken ? 'env' : 'local';
  if (!authToken) {
    const local = await readOrCreateLocalToken(config.dataDir, log);
    authToken = local.token;
    log.warn(
      { file: local.file, created: local.created },
      'LOCAL_AUTH_TOKEN: TWILIO_AUTH_TOKEN is not set: signatures are checked with a LOCAL token (for the agentlocator CLI and ' +
        'emulator). Real Twilio requests will be REJECTED until you set TWILIO_AUTH_TOKEN; /readyz says twilio: unconfigured',
    );
  }
  if (authToken.length < MIN_AUTH_TOKEN_LENGTH) {
    throw new AppError(
      'CONFIG_INVALID',
      `the ${authTokenSource === 'env' ? 'TWILIO_AUTH_TOKEN' : 'local'} auth token is shorter than ${MIN_AUTH_TOKEN_LENGTH} characters; refusing to sign with it`,
    );
  }
  if (config.webhookSignatureMode === 'log-only') {
    log.warn(
      'WEBHOOK_SIGNATURE_LOG_ONLY: !!! webhooks with bad signatures are ACCEPTED (WEBHOOK_SIGNATURE_CHECK=log-only). Anyone can fake calls.',
    );
  }
  if (config.streamSignatureMode === 'log-only') {
    log.warn(
      'STREAM_SIGNATURE_LOG_ONLY: !!! media stream upgrades with bad signatures are ACCEPTED (STREAM_SIGNATURE_CHECK=log-only; the per-call token is still required).',
    );
  }

  const events = new CallEvents();
  // One registry for the process: the app, the agents' cap and the transfers all count in it.
  const metrics = createMetrics();
  // Every lead, transcript turn and timeline step saved is also a live event (the CRM's SSE).
  const store = publishingStore(
    overrides.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log })),
    events,
  );
  // AGENTS_FILE (when set) is the directory; a mistake in it stops start-up, naming the field.
  const directory = await (
    config.agentsFile
      ? startDirectoryFile({ file: config.agentsFile, store, log, sighup: true })
      : adoptStoredDirectory(store, log).then(() => undefined)
  ).catch(async (err: unknown) => {
    if (!overrides.store) await store.close();
    throw err;
  });
  const directoryRouter = new DirectoryRouter({ store, log });
  const lines = overrides.lines ?? directoryRouter;
  const notes = new TransferNotes({
    store,
    events,
    log,
    now: () => new Date(),
    transfers: metrics.transfers,
  });
  const transfers = new TransferDesk({ config, store, lines, notes, log });
  const whisper = new Whisper({ store, lines, notes, log });
  // Every route an agent asks for is on the call's timeline (transfer-requested).
  const router = recordTransferRequests(overrides.router ?? directoryRouter, notes);
  const blobs = openBlobStore(config);
  const agents =
    overrides.agents ?? (await createAgentFactory({ config, log, store, router, metrics, blobs }));
  if (config.holdMusicUrl)
    log.warn(
      "HOLD_MUSIC_UNSUPPORTED: HOLD_MUSIC_URL is set, but while a transfer's <Dial> rings Twilio plays ringback tones only; callers hear ringback (see README, The transfer)",
    );
  const greeting = overrides.greeting ?? loadGreeting(config, log);
  const redis = config.redisUrl ? connectRedis(config.redisUrl, log) : undefined;

  const twilioCalls = overrides.twilioCalls ?? restClient(config, authToken, authTokenSource, log);
  const bus = overrides.bus ?? openBus(config, log);
  await busReady(bus, log);
  const built = await buildApp({
    config,
    log,
    store,
    authToken,
    authTokenSource,
    agents,
    twilioCalls,
    events,
    bus,
    blobs,
    metrics,
    transfers,
    router,
    whisper,
    greeting,
    ...(redis ? { redisHealth: () => redis.health() } : {}),
  });
  await overrides.routes?.(built);
  const webhookOut = webhookOutbox(config, store, log);
  // TRANSCRIBE_URL (and LLM_URL): voicemails and answers transcribed, calls analysed, from the store's jobs.
  const jobs = transcriptionJobs({
    config,
    store,
    events,
    log,
    authToken,
    blobs,
    ...overrides.transcription,
  });
  const address = await built.app.listen({ port: config.port, host: config.bindHost });
  const url = address.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://127.0.0.1');
  const ops = config.ops.opsPort === undefined ? undefined : await opsServer(built.deps, config.ops.opsPort);
  log.info(
    {
      url,
      publicHost: config.publicHost ?? '(from each request Host header)',
      database: config.databaseUrl ? 'postgresql' : 'sqlite',
      agent: agents.name,
      twilio: authTokenSource === 'env' ? 'configured' : 'unconfigured (local token)',
    },
    `AgentLocator listening: point your Twilio number's voice webhook at https://<public host>/webhook/incoming_call`,
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info(
        { liveStreams: built.sessions.size, timeoutMs: config.drainTimeoutMs },
        'DRAIN: /readyz answers 503; live calls go on, and are handed over to another instance at the deadline',
      );
      await built.drain(config.drainTimeoutMs);
      // Node closes idle keep-alive connections once, as close() starts; one still answering
      // then would hold the close for the whole keep-alive timeout. Close each as it goes idle.
      const idle = setInterval(() => built.app.server.closeIdleConnections(), 50);
      await built.app.close().finally(() => clearInterval(idle));
      await ops?.close();
      await webhookOut?.stop();
      await jobs?.stop();
      await agents.close?.();
      directory?.close();
      await greeting.close();
      await redis?.close();
      if (!overrides.bus) await bus.close();
      if (!overrides.store) await store.close();
      log.info('STOPPED');
    })());

  webhookOut?.start();
  jobs?.start();
  return { built, store, url, authToken, greeting, stop };
}

/**
 * Waits a moment for the bus's subscription, so the first call's messages reach this instance.
 * A bus that is down does not stop the start: calls work, only cross-instance messages wait.
 */
async function busReady(bus: EventBus, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 3000)));
  const state = await Promise.race([bus.ready().then(() => 'ready' as const), late]);
  clearTimeout(timer);
  if (state === 'ready') log.info({ bus: bus.kind }, 'BUS_READY');
  else log.warn({ bus: bus.kind }, 'BUS_NOT_READY: starting anyway; cross-instance messages wait for it');
}

/** CRM_WEBHOOK_URL: `call.completed` from the store's outbox (src/jobs/webhook-outbox.ts). */
function webhookOutbox(config: Config, store: Store, log: Logger): WebhookOutbox | undefined {
  if (!config.crmWebhook) return undefined;
  return new WebhookOutbox({
    store,
    log,
    url: config.crmWebhook.url,
    secret: config.crmWebhook.secret,
    payload: (item) => callCompletedPayload(store, item, config.publicHost, new Date()),
  });
}
