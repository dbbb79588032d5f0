// The CRM API's resources as one Fastify plugin: calls, recordings, contacts, leads, stats, live
// events, CSV exports and the agent directory. It assumes the scope it is registered in has authenticated the
// request already (see CrmDeps.principal).
import type { FastifyInstance } from 'fastify';
import { agentRoutes } from './agents-routes.js';
import { callRoutes } from './calls.js';
import type { CrmDeps } from './crm-deps.js';
import { contactRoutes } from './contacts.js';
import { eventRoutes } from './events.js';
import { exportRoutes } from './exports.js';
import { leadRoutes } from './leads.js';
import { recordingRoutes } from './recordings.js';
import { statsRoutes } from './stats.js';

export async function crmRoutes(scope: FastifyInstance, deps: CrmDeps): Promise<void> {
  await callRoutes(scope, deps);
  await recordingRoutes(scope, deps);
  await contactRoutes(scope, deps);
  await leadRoutes(scope, deps);
  await statsRoutes(scope, deps);
  await eventRoutes(scope, deps);
  await exportRoutes(scope, deps);
  await agentRoutes(scope, { store: deps.store, agentsFile: deps.config.agentsFile });
}
