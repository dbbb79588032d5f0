// Picks the brain behind calls from the configuration (AGENT=flow | openai-realtime).
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import type { Router } from '../routing/router.js';
import type { AgentFactory } from './agent.js';
import { createFlowAgentFactory } from './flow/flow-factory.js';

export async function createAgentFactory(deps: {
  config: Config;
  log: Logger;
  store: Store;
  router: Router;
}): Promise<AgentFactory> {
  switch (deps.config.agent) {
    case 'flow':
    case 'openai-realtime':
      return createFlowAgentFactory(deps);
  }
}
