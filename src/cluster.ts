// Multi-core mode: `node dist/cluster.js [--workers N]` (default: one worker per core). The primary
// does the once-only work (configuration check, migrations, the local token), then forks N full
// servers sharing one port; Node's primary hands each new connection to the next worker. A live call
// belongs to the worker holding its socket: what crosses workers (webhook → stream token claim)
// goes through the store, which must be shared: the SQLite file in DATA_DIR, or PostgreSQL.
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { readOrCreateLocalToken } from './local-token.js';
import { openStore } from './store/open-store.js';

/** A worker that keeps dying is not restarted forever: this many exits within the minute stop it. */
const MAX_RESTARTS_PER_MINUTE = 5;
const RESTART_DELAY_MS = 1000;
const SHUTDOWN = 'agentlocator:shutdown';

function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`AgentLocator cannot start.\n${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

function workerCount(): number {
  const at = process.argv.indexOf('--workers');
  if (at < 0) return os.availableParallelism();
  const n = Number(process.argv[at + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    console.error('AgentLocator cannot start: --workers must be a whole number from 1 to 256');
    process.exit(78);
  }
  return n;
}

async function primary(): Promise<void> {
  const cfg = config();
  const log = createLogger(cfg).child({ role: 'primary' });
  const workers = workerCount();
  // Once, before any worker: two processes migrating one database at the same time would race.
  if (!cfg.twilioAuthToken) await readOrCreateLocalToken(cfg.dataDir, log);
  const store = await openStore({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, log });
  await store.close();

  let stopping = false;
  const exits: number[] = [];
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      exits.push(now);
      while (exits.length > 0 && exits[0]! < now - 60_000) exits.shift();
      if (exits.length > MAX_RESTARTS_PER_MINUTE) {
        log.fatal({ code, signal }, 'WORKER_CRASH_LOOP: stopping the cluster');
        void shutdown('crash loop', 1);
        return;
      }
      log.error({ pid: worker.process.pid, code, signal }, 'WORKER_EXITED: starting another');
      setTimeout(() => !stopping && fork(), RESTART_DELAY_MS).unref();
    });
    return worker;
  };
  for (let i = 0; i < workers; i++) fork();
  log.info({ workers, port: cfg.port }, 'CLUSTER_STARTED: one server per worker, one port');

  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
  const shutdown = async (why: string, code = 0) => {
    if (stopping) {
      // A second signal: the operator wants out now.
      for (const w of alive()) w.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    log.info({ why, workers: alive().length }, 'CLUSTER_DRAIN');
    // A message, not a signal: a worker may also receive the signal itself (terminal, process group).
    for (const w of alive()) w.send(SHUTDOWN);
    await Promise.all(alive().map((w) => new Promise((resolve) => w.once('exit', resolve))));
    log.info('CLUSTER_STOPPED');
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Each worker re-reads AGENTS_FILE on SIGHUP; the primary only passes it on (and must not die of it).
  if (cfg.agentsFile) process.on('SIGHUP', () => alive().forEach((w) => w.process.kill('SIGHUP')));
}

async function worker(): Promise<void> {
  const cfg = config();
  const log: Logger = createLogger(cfg).child({ worker: cluster.worker?.id });
  // One call's bug must never take every other call of this worker down.
  process.on('unhandledRejection', (err) =>
    log.error({ err }, 'UNHANDLED_REJECTION (bug; process kept alive)'),
  );
  process.on('uncaughtException', (err) =>
    log.error({ err }, 'UNCAUGHT_EXCEPTION (bug; process kept alive)'),
  );
  // Imported here: the primary never loads the server (it stays small).
  const running = import('./serve.js').then(({ startServer }) => startServer(cfg, log));
  let draining: Promise<void> | undefined;
  // Whoever asks first (the primary's message or a signal) starts the one drain; later asks wait on it.
  const drain = (why: string) =>
    (draining ??= (async () => {
      log.info({ why }, 'WORKER_DRAIN');
      try {
        await (await running).stop();
        process.exit(0);
      } catch (err) {
        log.error({ err }, 'SHUTDOWN failed');
        process.exit(1);
      }
    })());
  process.on('message', (msg) => msg === SHUTDOWN && void drain('primary'));
  process.on('SIGTERM', () => void drain('SIGTERM'));
  process.on('SIGINT', () => void drain('SIGINT'));
  await running;
}

(cluster.isPrimary ? primary() : worker()).catch((err: unknown) => {
  console.error('AgentLocator cluster failed to start:', err);
  process.exit(1);
});
