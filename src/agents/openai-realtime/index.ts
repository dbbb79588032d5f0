// The OpenAI Realtime agent's public surface: the factory, its options and the pieces a caller
// composes it with (instructions loader, endpoint helper, timings).
export { createOpenAiRealtimeFactory, DEFAULT_TURN_DETECTION } from './factory.js';
export type { OpenAiRealtimeFactoryOptions } from './factory.js';
export { DEFAULT_INSTRUCTIONS_HE, loadInstructions } from './instructions.js';
export { isRealtimeConfigured, realtimeEndpoint } from './endpoint.js';
export type { RealtimeEndpoint, RealtimeProtocol } from './endpoint.js';
export { DEFAULT_TIMINGS } from './agent-config.js';
export type { RealtimeTimings } from './agent-config.js';
export type { TurnDetection } from './client-events.js';
