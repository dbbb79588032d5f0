// The operations settings (capacity, drain, metrics access) as a part of the environment schema
// config.ts parses: kept apart so config.ts stays readable. Reads nothing itself: config.ts hands
// it the environment it was given.
import { z } from 'zod';
import { empty, intOrUnset } from './schema-kit.js';

/**
 * Calls one instance holds by default: measured with `npm run bench` on this repository's 2-core
 * machine (bench/README.md, "Running in production" in the README), the largest load held with
 * p99 ≤ 20 ms and nothing lost, less a margin for the webhooks, the dashboard and the recording.
 */
export const DEFAULT_MAX_CALLS = 150;

export interface OpsConfig {
  /** Calls this instance takes at once (incoming_call → stream end); beyond, the voicemail. */
  readonly maxCalls: number;
  /** Realtime sessions at once; beyond, calls get the flow agent. 0 = as many as maxCalls. */
  readonly maxAiSessions: number;
  /** A call admitted by incoming_call whose stream never reaches this instance stops counting. */
  readonly callStreamTimeoutMs: number;
  /** /metrics and /readyz need `Authorization: Bearer <token>` when set. */
  readonly metricsToken: string | undefined;
  /** /metrics and /readyz on 127.0.0.1:OPS_PORT only (not on PORT) when set. */
  readonly opsPort: number | undefined;
}

const int = intOrUnset;

export const opsEnvSchema = z.object({
  MAX_CALLS: int(1, 100_000),
  MAX_AI_SESSIONS: int(0, 100_000),
  CALL_STREAM_TIMEOUT_MS: int(100, 600_000),
  METRICS_TOKEN: z.preprocess(
    empty,
    z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  ),
  OPS_PORT: int(1, 65535),
});

export function opsConfig(e: z.infer<typeof opsEnvSchema>): OpsConfig {
  const maxCalls = e.MAX_CALLS ?? DEFAULT_MAX_CALLS;
  return {
    maxCalls,
    maxAiSessions: e.MAX_AI_SESSIONS || maxCalls,
    callStreamTimeoutMs: e.CALL_STREAM_TIMEOUT_MS ?? 30_000,
    metricsToken: e.METRICS_TOKEN,
    opsPort: e.OPS_PORT,
  };
}
