// What the CRM routes are built from, and who is asking: the authenticating scope supplies the
// principal; agent users linked to a directory agent see only the calls that agent took.
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { EventBus } from '../bus/event-bus.js';
import type { Config } from '../config.js';
import type { CallFilter, CrmCall } from '../store/crm-store.js';
import type { Store } from '../store/store.js';
import type { RecordingAudio } from '../recordings/recording-audio.js';

export interface CrmPrincipal {
  role: 'admin' | 'agent';
  /** The directory agent an agent user is linked to; null for admins and unlinked users. */
  agentId: string | null;
}

export interface CrmDeps {
  config: Pick<Config, 'timezone' | 'agentsFile'>;
  log: Logger;
  store: Store;
  /** The cluster's bus: the live events of every instance's calls (src/bus/live-events.ts). */
  bus: EventBus;
  recordings: RecordingAudio;
  /** Who made the request (set by the authenticating scope). */
  principal(request: FastifyRequest): CrmPrincipal;
}

/**
 * The agent whose calls alone this principal may see: an agent user linked to a directory agent
 * sees the calls that agent took; admins and unlinked users see every call.
 */
export function callScopeOf(principal: CrmPrincipal): string | undefined {
  return principal.role === 'agent' && principal.agentId !== null ? principal.agentId : undefined;
}

/** The filter narrowed to the principal's own calls (an agent= asked for is overridden). */
export function scopedCallFilter(filter: CallFilter, principal: CrmPrincipal): CallFilter {
  const agentId = callScopeOf(principal);
  return agentId === undefined ? filter : { ...filter, agentId };
}

export function maySeeCall(principal: CrmPrincipal, call: Pick<CrmCall, 'agentId'>): boolean {
  const agentId = callScopeOf(principal);
  return agentId === undefined || call.agentId === agentId;
}
