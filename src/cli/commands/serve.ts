// `agentlocator serve` and `npm start`: read the configuration once, start the server, drain on
// SIGTERM/SIGINT (a second signal exits at once). A bad configuration exits 78 naming the variable.
import { ConfigError, loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { startServer } from '../../serve.js';

export async function runServe(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`AgentLocator cannot start.\n${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config);
  // One call's bug must never take every other call down with the process.
  process.on('unhandledRejection', (err) =>
    log.error({ err }, 'UNHANDLED_REJECTION (bug; process kept alive)'),
  );
  process.on('uncaughtException', (err) =>
    log.error({ err }, 'UNCAUGHT_EXCEPTION (bug; process kept alive)'),
  );

  const server = await startServer(config, log);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'SHUTDOWN requested');
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'SHUTDOWN failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
