// The OpenAI Realtime AgentFactory: session settings from the config (and a returning caller's
// first name), pre-warm while the greeting plays (claimed by CallSid, closed when unclaimed), one
// RealtimeAgent per call.
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Router } from '../../routing/router.js';
import type { AgentFactory, AgentHealth, AgentStore, CallInfo, VoiceAgent } from '../agent.js';
import type { SessionSettings, TurnDetection } from './client-events.js';
import { isRealtimeConfigured, realtimeEndpoint, type RealtimeProtocol } from './endpoint.js';
import { callInstructions, DEFAULT_INSTRUCTIONS_HE } from './instructions.js';
import { PrewarmPool } from './prewarm-pool.js';
import { bounded, DEFAULT_TIMINGS, type RealtimeTimings, type SettingsRequest } from './agent-config.js';
import { lookupReturningCaller } from '../returning-caller.js';
import { RealtimeAgent } from './realtime-agent.js';
import { toolSpecs } from './tools/definitions.js';
import { formatTurns } from './transcript.js';
import { openUpstream, type UpstreamOptions } from './upstream.js';

export interface OpenAiRealtimeFactoryOptions {
  config: Config['openai'];
  store: AgentStore;
  router: Router;
  log: Logger;
  /** μ-law 8 kHz apology played before voicemail when the provider fails; silence if absent. */
  apologyAudio?: Buffer;
  /** Full instructions (e.g. from `loadInstructions(file)`); the Hebrew receptionist by default. */
  instructions?: string;
  /** GA (default) or the older beta event shapes. */
  protocol?: RealtimeProtocol;
  /** Default: server_vad tuned for phone audio. */
  turnDetection?: TurnDetection;
  /** Input transcription model; `null` turns caller transcripts off. Default gpt-4o-mini-transcribe. */
  transcriptionModel?: string | null;
  /** ISO-639-1 language of the caller, for transcription. Default `he`. */
  language?: string;
  /** Post-call summary on the same session. Default: on when an API key is configured. */
  summary?: boolean;
  /** The agent opens the conversation after the recorded greeting. Default true. */
  speakFirst?: boolean;
  timings?: Partial<RealtimeTimings>;
  /** How long a pre-warmed session waits to be claimed. Default 30 s. */
  prewarmTtlMs?: number;
  /** Most pre-warmed sessions waiting at once. Default 200. */
  maxPrewarmed?: number;
  now?: () => Date;
  /** WS_DIRECT_FRAMES: the upstream's frames on ws's socket. Default true. */
  directFrames?: boolean;
}

/** Turns of the transcript a resumed session is briefed with (as a reconnect's). */
const RESUME_TURNS = 30;

export const DEFAULT_TURN_DETECTION: TurnDetection = {
  type: 'server_vad',
  threshold: 0.5,
  prefix_padding_ms: 300,
  silence_duration_ms: 500,
};

export function createOpenAiRealtimeFactory(opts: OpenAiRealtimeFactoryOptions): AgentFactory {
  const protocol = opts.protocol ?? 'ga';
  const timings: RealtimeTimings = { ...DEFAULT_TIMINGS, ...opts.timings };
  const now = opts.now ?? (() => new Date());
  const log = opts.log.child({ component: 'openai-realtime' });
  const configured = isRealtimeConfigured(opts.config);
  const upstream: UpstreamOptions = {
    endpoint: realtimeEndpoint({ ...opts.config, protocol }),
    protocol,
    connectTimeoutMs: timings.connectTimeoutMs,
    heartbeatMs: timings.heartbeatMs,
    directFrames: opts.directFrames,
  };
  const tools = toolSpecs();
  const base = opts.instructions ?? DEFAULT_INSTRUCTIONS_HE;
  const transcriptionModel =
    opts.transcriptionModel === null ? undefined : (opts.transcriptionModel ?? 'gpt-4o-mini-transcribe');
  /** A returning caller's first name, or null; a slow or failing store only costs the name. */
  const firstName = async (call: SettingsRequest): Promise<string | null> => {
    const returning = await lookupReturningCaller(opts.store, call, timings.callerLookupTimeoutMs, (err) =>
      log.warn({ err, callSid: call.callSid }, 'REALTIME_CALLER_LOOKUP_FAILED: no name in the instructions'),
    );
    return returning?.firstName ?? null;
  };
  const settings = async (call: SettingsRequest): Promise<SessionSettings> => ({
    instructions: callInstructions(base, { ...call, firstName: await firstName(call), now: now() }),
    voice: opts.config.voice,
    turnDetection: opts.turnDetection ?? DEFAULT_TURN_DETECTION,
    transcriptionModel,
    language: opts.language ?? 'he',
    tools,
  });
  /** A handed-over call's briefing: its transcript so far, from the store (any instance wrote it). */
  const briefing = async (callSid: string): Promise<string> => {
    const turns = await bounded(opts.store.listTranscript(callSid), timings.callerLookupTimeoutMs).catch(
      (err: unknown) => {
        log.warn({ err, callSid }, 'REALTIME_RESUME_TRANSCRIPT_FAILED: resuming without it');
        return undefined;
      },
    );
    return formatTurns((turns ?? []).slice(-RESUME_TURNS)) || '(התמליל אינו זמין)';
  };
  const pool = new PrewarmPool({ ttlMs: opts.prewarmTtlMs ?? 30_000, max: opts.maxPrewarmed ?? 200, log });
  let closed = false;

  return {
    name: 'openai-realtime',
    health: (): AgentHealth => (configured ? 'ok' : 'disabled'),
    prewarm(call) {
      if (!configured || closed) return;
      pool.add(call.callSid, () =>
        openUpstream(upstream, settings(call), log.child({ callSid: call.callSid })),
      );
    },
    create(call: CallInfo): VoiceAgent {
      const resuming = call.resume?.agent === 'openai-realtime';
      const prewarmed = resuming ? undefined : pool.claim(call.callSid);
      if (prewarmed)
        log.info({ callSid: call.callSid, state: prewarmed.client.state }, 'REALTIME_PREWARM_CLAIMED');
      return new RealtimeAgent(
        call,
        {
          upstream,
          settings: resuming
            ? async (req) =>
                settings({ ...req, resumeBriefing: req.resumeBriefing ?? (await briefing(call.callSid)) })
            : settings,
          resuming,
          store: opts.store,
          router: opts.router,
          log,
          timings,
          apologyAudio: opts.apologyAudio,
          summary: opts.summary ?? Boolean(opts.config.apiKey),
          speakFirst: opts.speakFirst ?? true,
          now,
        },
        // A socket that already closed is of no use; the agent opens a fresh one.
        prewarmed && prewarmed.client.state !== 'closed' ? prewarmed : undefined,
      );
    },
    stateSizes: () => ({ realtime_prewarmed: pool.size }),
    release(callSid) {
      pool.discard(callSid, 'call ended before its stream started');
    },
    async close() {
      closed = true;
      pool.closeAll('server shutting down');
    },
  };
}
