// Composition root: config → logger → store → agent → app.listen, and the SIGTERM drain.
// `npm start`, `agentlocator serve` and the end-to-end tests all start the server through here.
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { readOrCreateLocalToken } from './local-token.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { buildApp, type BuiltApp } from './server/app.js';
import type { AgentFactory } from './agents/agent.js';
import type { TwilioCallsApi } from './twilio/rest.js';
import { createAgentFactory } from './agents/create-agent-factory.js';
import { loadGreeting, type LoadedGreeting } from './greeting-source.js';
import { connectRedis } from './redis.js';
import { createTwilioCallsApi } from './twilio/rest-client.js';
import type { Router } from './routing/router.js';
import { DirectoryRouter } from './routing/directory-router.js';
import { adoptStoredDirectory, startDirectoryFile } from './routing/directory-file.js';

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
  greeting?: LoadedGreeting;
}

/**
 * Hang-up and transfer go through Twilio's REST API, which needs the account. Without it the
 * session falls back to closing the stream (the caller reaches voicemail) and says so.
 */
function restClient(config: Config, authToken: string, log: Logger): TwilioCallsApi | undefined {
  if (!config.twilioAccountSid) {
    log.warn(
      'TWILIO_REST_UNCONFIGURED: TWILIO_ACCOUNT_SID is not set: the agent cannot hang up or transfer through Twilio (it will end the stream instead)',
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
  let authToken = config.twilioAuthToken;
  const authTokenSource = authToken ? 'env' : 'local';
  if (!authToken) {
    const local = await readOrCreateLocalToken(config.dataDir);
    authToken = local.token;
    log.warn(
      { file: local.file, created: local.created },
      'LOCAL_AUTH_TOKEN: TWILIO_AUTH_TOKEN is not set: signatures are checked with a LOCAL token (for the agentlocator CLI and ' +
        'emulator). Real Twilio requests will be REJECTED until you set TWILIO_AUTH_TOKEN; /readyz says twilio: unconfigured',
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

  const store =
    overrides.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log }));
  // AGENTS_FILE (when set) is the directory; a mistake in it stops start-up, naming the field.
  const directory = await (
    config.agentsFile
      ? startDirectoryFile({ file: config.agentsFile, store, log, sighup: true })
      : adoptStoredDirectory(store, log).then(() => undefined)
  ).catch(async (err: unknown) => {
    if (!overrides.store) await store.close();
    throw err;
  });
  const router = overrides.router ?? new DirectoryRouter({ store, log });
  const agents = overrides.agents ?? (await createAgentFactory({ config, log, store, router }));
  const greeting = overrides.greeting ?? loadGreeting(config, log);
  const redis = config.redisUrl ? connectRedis(config.redisUrl, log) : undefined;

  const twilioCalls = overrides.twilioCalls ?? restClient(config, authToken, log);
  const built = await buildApp({
    config,
    log,
    store,
    authToken,
    authTokenSource,
    agents,
    twilioCalls,
    greeting,
    ...(redis ? { redisHealth: () => redis.health() } : {}),
  });
  const address = await built.app.listen({ port: config.port, host: config.bindHost });
  const url = address.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://127.0.0.1');
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
        'DRAIN: no new streams',
      );
      await built.drain(config.drainTimeoutMs);
      await built.app.close();
      await agents.close?.();
      directory?.close();
      await greeting.close();
      await redis?.close();
      if (!overrides.store) await store.close();
      log.info('STOPPED');
    })());

  return { built, store, url, authToken, greeting, stop };
}
