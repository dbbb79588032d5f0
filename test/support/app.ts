// The app as startServer builds it (buildApp with the real store, agent and greeting) but never
// listening, for HTTP-only tests answered through fastify.inject: no port, no socket, no fetch.
// Each route keeps at least one test over a real socket (startTestServer) as well.
import { rmSync } from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { createAgentFactory } from '../../src/agents/create-agent-factory.js';
import type { AgentFactory } from '../../src/agents/agent.js';
import { loadGreeting, type LoadedGreeting } from '../../src/greeting-source.js';
import { createLogger } from '../../src/log.js';
import type { Router } from '../../src/routing/router.js';
import { nobody } from './routes.js';
import { DirectoryRouter } from '../../src/routing/directory-router.js';
import { CallEvents } from '../../src/call/call-events.js';
import { TransferNotes } from '../../src/call/transfer/transfer-notes.js';
import { TransferDesk } from '../../src/call/transfer/transfer-desk.js';
import { Whisper } from '../../src/call/transfer/whisper.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { LogCapture, signedFormHeaders, testConfig, type SignOptions } from './server.js';

/** No human agents: every transfer goes to the fallback. */
const NO_AGENTS: Router = { route: async () => nobody('nobody-available', 'no agents in tests') };

/** The Host every injected request carries; signatures are computed over http://<this>/… */
export const INJECT_HOST = 'agentlocator.test';

export interface TestApp {
  app: FastifyInstance;
  built: BuiltApp;
  store: Store;
  logs: LogCapture;
  close(): Promise<void>;
}

export async function buildTestApp(
  env: Record<string, string> = {},
  overrides: { agents?: AgentFactory; greeting?: LoadedGreeting } = {},
): Promise<TestApp> {
  const config = testConfig(env);
  const authToken = config.twilioAuthToken;
  // Without it startServer makes a local token file: that path is startTestServer's to test.
  if (!authToken) throw new Error('buildTestApp needs TWILIO_AUTH_TOKEN; use startTestServer without one');
  const logs = new LogCapture();
  const log = createLogger(config, logs);
  const store = await openStore({ dataDir: config.dataDir, sqliteMemory: true, log });
  const agents = overrides.agents ?? (await createAgentFactory({ config, log, store, router: NO_AGENTS }));
  const greeting = overrides.greeting ?? loadGreeting(config, log);
  await greeting.ready;
  // The transfer desk on a router with no agents: a dial_status of a transfer never started
  // takes a message, as in production.
  const lines = new DirectoryRouter({ store, log });
  const events = new CallEvents();
  const notes = new TransferNotes({ store, events, log, now: () => new Date() });
  const built = await buildApp({
    config,
    log,
    store,
    events,
    transfers: new TransferDesk({ config, store, lines, notes, log }),
    whisper: new Whisper({ store, lines, notes, log }),
    router: NO_AGENTS,
    authToken,
    authTokenSource: 'env',
    agents,
    twilioCalls: undefined,
    greeting,
  });
  await built.app.ready();
  return {
    app: built.app,
    built,
    store,
    logs,
    close: async () => {
      await built.app.close();
      await agents.close?.();
      await greeting.close();
      await store.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs a form to `path` as Twilio would, signed over http://INJECT_HOST<path> unless told otherwise. */
export function injectSigned(
  app: FastifyInstance,
  path: string,
  params: Record<string, string>,
  opts: SignOptions = {},
): Promise<LightMyRequestResponse> {
  const headers = signedFormHeaders(`http://${INJECT_HOST}${path}`, params, opts);
  return app.inject({
    method: 'POST',
    url: path,
    headers: { host: INJECT_HOST, ...headers },
    payload: new URLSearchParams(params).toString(),
  });
}
