// Prometheus metrics for the whole process; one registry per app so tests stay independent.
// Per-frame counts are plain numbers in `tally` (a field increment on the hot path), folded into
// their counters when /metrics is scraped, so every scrape is exact. Satisfies call/'s CallMetrics
// (checked where media-route hands these deps to a CallSession).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
