// `npm start`: the same as `agentlocator serve` (config → startServer; SIGTERM/SIGINT drain).
import { runServe } from './cli/commands/serve.js';

runServe().catch((err: unknown) => {
  console.error('AgentLocator failed to start:', err);
  process.exit(1);
});
