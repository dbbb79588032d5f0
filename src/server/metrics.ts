// Prometheus metrics for the whole process; one registry per app so tests stay independent.
// Per-frame counts are plain numbers in `tally` (a field increment on the hot path), folded into
// their counters when /metrics is scraped, so every scrape is exact. Satisfies call/'s CallMetrics
// (checked where media-route hands these deps to a CallSession).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FrameTally } from '../call/call-metrics.js';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const tally: FrameTally = { framesIn: 0, framesOut: 0 };
  const fold = (counter: Counter, key: keyof FrameTally) => {
    if (tally[key] > 0) counter.inc(tally[key]);
    tally[key] = 0;
  };
  return {
    registry,
    /** Read and reset by the frame counters' collect(). */
    tally,
    webhooks: new Counter({
      name: 'agentlocator_webhook_requests_total',
      help: 'Twilio webhook requests by route and HTTP status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    upgrades: new Counter({
      name: 'agentlocator_stream_upgrades_total',
      help: 'Media stream upgrade attempts by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    liveStreams: new Gauge({
      name: 'agentlocator_live_streams',
      help: 'Media streams currently open',
      registers: [registry],
    }),
    framesIn: new Counter({
      name: 'agentlocator_stream_frames_in_total',
      help: 'Media frames received from Twilio',
      registers: [registry],
      collect() {
        fold(this, 'framesIn');
      },
    }),
    framesOut: new Counter({
      name: 'agentlocator_stream_frames_out_total',
      help: 'Media frames sent to Twilio',
      registers: [registry],
      collect() {
        fold(this, 'framesOut');
      },
    }),
    badFrames: new Counter({
      name: 'agentlocator_stream_bad_frames_total',
      help: 'Frames from Twilio dropped as malformed or unexpected',
      registers: [registry],
    }),
    streamRejects: new Counter({
      name: 'agentlocator_stream_rejects_total',
      help: 'Media streams closed by the server for a catalogue reason (token, flood, no start), by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    streamCloses: new Counter({
      name: 'agentlocator_stream_closes_total',
      help: 'Media streams closed, by WebSocket close code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    ...operationsMetrics(registry),
  };
}

/** Seconds: a webhook answer is milliseconds; a slow store shows at its 1.5 s budget. */
const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 15];
/** Seconds from the stream's start to the first agent audio sent (a pre-warm makes it small). */
const FIRST_AUDIO_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];
/** Seconds from publish to delivery on the cross-instance bus. */
const BUS_LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** What an operator alerts on: calls, capacity, stream errors, latencies, transfers, the bus. */
function operationsMetrics(registry: Registry) {
  const busLag = new Histogram({
    name: 'agentlocator_bus_lag_seconds',
    help: 'Cross-instance event bus: publish to delivery',
    buckets: BUS_LAG_BUCKETS,
    registers: [registry],
  });
  return {
    callsActive: new Gauge({
      name: 'agentlocator_calls_active',
      help: 'Calls this instance holds (from incoming_call or stream start to the stream end or a final status)',
      registers: [registry],
    }),
    callsTotal: new Counter({
      name: 'agentlocator_calls_total',
      help: 'Calls this instance stopped holding, by outcome (stream-ended, a final status, stream-timeout, handed-over)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    capacityRejections: new Counter({
      name: 'agentlocator_capacity_rejections_total',
      help: 'Calls over a capacity limit: calls (MAX_CALLS, to voicemail), ai-sessions (MAX_AI_SESSIONS, to the flow agent)',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    streamErrors: new Counter({
      name: 'agentlocator_stream_errors_total',
      help: "Twilio's stream-error status callbacks, by Twilio error code",
      labelNames: ['twilio_code'] as const,
      registers: [registry],
    }),
    webhookSeconds: new Histogram({
      name: 'agentlocator_webhook_duration_seconds',
      help: 'Time to answer a Twilio webhook, by route',
      labelNames: ['route'] as const,
      buckets: WEBHOOK_BUCKETS,
      registers: [registry],
    }),
    firstAudioSeconds: new Histogram({
      name: 'agentlocator_first_agent_audio_seconds',
      help: "From the stream's start to the first agent audio sent to the caller",
      buckets: FIRST_AUDIO_BUCKETS,
      registers: [registry],
    }),
    transfers: new Counter({
      name: 'agentlocator_transfers_total',
      help: 'Transfers to a person, by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    handovers: new Counter({
      name: 'agentlocator_handovers_total',
      help: 'Calls moved off a draining instance, by result (offered, resumed, failed)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    busLag,
    /** For the event bus: one delivery's lag in milliseconds. */
    observeBusLag: (ms: number) => busLag.observe(Math.max(0, ms) / 1000),
  };
}

/** The bus's hook into a registry: `observeBusLag(metrics, ms)` per delivered event. */
export function observeBusLag(metrics: Pick<Metrics, 'observeBusLag'>, ms: number): void {
  metrics.observeBusLag(ms);
}

export type Metrics = ReturnType<typeof createMetrics>;
