// What a call's session is built from: the app's parts it uses, each narrow enough to fake.
import type { AgentFactory } from '../agents/agent.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { TwilioCallsApi } from '../twilio/rest.js';
import type { CallEvents } from './call-events.js';
import type { CallMetrics } from './call-metrics.js';
import type { TransferDesk } from './transfer/transfer-desk.js';

export interface SessionDeps {
  config: Config;
  log: Logger;
  store: Store;
  agents: AgentFactory;
  authToken: string;
  twilioCalls: TwilioCallsApi | undefined;
  /** A call whose REST API is not Twilio's (the dashboard's test calls: the in-process emulator). */
  restFor?: (callSid: string) => TwilioCallsApi | undefined;
  events: CallEvents;
  metrics: CallMetrics;
  transfers: TransferDesk;
  /** MAX_CALLS: the session says when its call starts and stops holding a line here. */
  capacity?: { streamStarted(callSid: string): void; release(callSid: string, outcome: string): void };
  /** Where finished recordings go so every instance can serve them (src/blobs/). */
  blobs?: BlobStore;
}
