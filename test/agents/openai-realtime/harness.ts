// Wires the real factory to a fake Realtime server, a real (in-memory SQLite) store and a
// CallControl that models Twilio's marks; one call per harness.
import pino from 'pino';
import type { CallerFrame, CallInfo, VoiceAgent } from '../../../src/agents/agent.js';
import {
  createOpenAiRealtimeFactory,
  type OpenAiRealtimeFactoryOptions,
} from '../../../src/agents/openai-realtime/index.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import type { RouteResult, Router } from '../../../src/routing/router.js';
import { ringOne } from '../../support/routes.js';
import { FakeRealtimeServer, type FakeRealtimeBehaviour } from '../../fakes/fake-realtime-server.js';
import { FakeCallControl } from './fake-call-control.js';

export const CALL_SID = 'CA' + 'a'.repeat(32);
export const CALLER = '+972501234567';

export interface Harness {
  server: FakeRealtimeServer;
  store: Store;
  control: FakeCallControl;
  factory: ReturnType<typeof createOpenAiRealtimeFactory>;
  call: CallInfo;
  routed: { department?: string; person?: string }[];
  /** Creates and starts the agent for the call (like CallSession does). */
  startAgent(): Promise<VoiceAgent>;
  agent: () => VoiceAgent;
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  behaviour?: Partial<FakeRealtimeBehaviour>;
  factory?: Partial<OpenAiRealtimeFactoryOptions>;
  route?: RouteResult;
  apiKey?: string | undefined;
}

export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const server = await FakeRealtimeServer.start(opts.behaviour);
  const store = await openStore({ dataDir: '/tmp', sqliteMemory: true });
  await store.startCall({ callSid: CALL_SID, fromNumber: CALLER, toNumber: '+97231234567', at: new Date() });
  const routed: Harness['routed'] = [];
  const router: Router = {
    async route(request) {
      routed.push({
        ...(request.department ? { department: request.department } : {}),
        ...(request.person ? { person: request.person } : {}),
      });
      return opts.route ?? ringOne('Dana', '+97235550000');
    },
  };
  const control = new FakeCallControl();
  const factory = createOpenAiRealtimeFactory({
    config: {
      apiKey: 'apiKey' in opts ? opts.apiKey : 'sk-test-key',
      realtimeUrl: server.url,
      model: 'gpt-realtime',
      voice: 'marin',
      instructionsFile: undefined,
    },
    store,
    router,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    // The summary has its own tests; elsewhere it would only wait out its bound at close.
    summary: false,
    ...opts.factory,
    timings: { connectTimeoutMs: 1000, summaryTimeoutMs: 1000, ...opts.factory?.timings },
  });
  const call: CallInfo = {
    callSid: CALL_SID,
    streamSid: 'MZ' + 'b'.repeat(32),
    accountSid: 'AC' + 'c'.repeat(32),
    from: CALLER,
    to: '+97231234567',
    customParameters: {},
  };
  let agent: VoiceAgent | undefined;
  return {
    server,
    store,
    control,
    factory,
    call,
    routed,
    async startAgent() {
      agent = factory.create(call);
      await agent.start(call, control);
      return agent;
    },
    agent: () => {
      if (!agent) throw new Error('agent not started');
      return agent;
    },
    async cleanup() {
      await agent?.close('test over');
      await factory.close?.();
      await server.close();
      await store.close();
    },
  };
}

/** A 20 ms caller frame (160 μ-law bytes) whose bytes all equal `fill`. */
export function frame(timestampMs: number, fill = 0x7f): CallerFrame {
  const bytes = Buffer.alloc(160, fill);
  return { payload: bytes.toString('base64'), timestampMs, bytes: () => bytes };
}

/** `ms` of μ-law audio filled with `fill` (8 bytes per ms). */
export function audio(ms: number, fill: number): Buffer {
  return Buffer.alloc(ms * 8, fill);
}

export const tick = (ms = 10): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One turn of the event loop: every promise continuation already queued has run after it. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
