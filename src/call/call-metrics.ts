// What a call session counts, declared by call/ so it does not depend on the server's Prometheus
// registry: server/metrics.ts satisfies it (prom-client counters and gauges fit these shapes).

/** Counted on every media frame as plain field increments (no call on the 20 ms path). */
export interface FrameTally {
  framesIn: number;
  framesOut: number;
}

export interface CallMetrics {
  readonly tally: FrameTally;
  /** Streams past their start checks and not yet ended. */
  readonly liveStreams: { inc(): void; dec(): void };
  readonly streamCloses: { inc(labels: { code: string }): void };
  /** Streams closed by us for a catalogue reason (token, flood, no start), by error code. */
  readonly streamRejects: { inc(labels: { code: string }): void };
  readonly badFrames: { inc(): void };
  /** Once per stream: from its start to the first agent audio sent (seconds). */
  readonly firstAudioSeconds?: { observe(seconds: number): void };
  /** A drained call's new stream resumed here. */
  readonly handovers?: { inc(labels: { result: string }): void };
}
