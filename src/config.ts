// The only reader of process.env: parses, validates and freezes the configuration.
// A bad value stops start-up with a message naming the variable and what to set. The groups of
// settings live in src/config/ (each a zod schema and a function building its part of Config from
// the parsed environment); this file composes them and owns the rest.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from './config/config-error.js';
import { crmConfig, crmEnvSchema } from './config/crm.js';
import { opsConfig, opsEnvSchema, type OpsConfig } from './config/ops.js';
import { publicHostEnvSchema, publicOrigin } from './config/public-host.js';
import { scaleOutConfig, scaleOutEnvSchema, type BlobConfig } from './config/scale-out.js';
import { bool, empty, int, opt, seconds } from './config/schema-kit.js';
import { isLoopbackUrl, LOOPBACK, shownValue } from './config/secrets.js';
import {
  transcriptionLlmConfig,
  transcriptionLlmEnvSchema,
  type LlmConfig,
  type TranscriptionConfig,
} from './config/transcription-llm.js';
import { twilioConfig, twilioEnvSchema, type SignatureMode } from './config/twilio.js';

export { ConfigError } from './config/config-error.js';
export { normalisePublicHost } from './config/public-host.js';
export { isLoopbackHost, isLoopbackUrl, shownValue } from './config/secrets.js';
export type { BlobConfig } from './config/scale-out.js';
export type { LlmConfig, TranscriptionConfig } from './config/transcription-llm.js';
export type { SignatureMode } from './config/twilio.js';

export type AgentKind = 'flow' | 'openai-realtime';

export interface Config {
  readonly port: number;
  readonly bindHost: string;
  /** Public host (and port, when not the default) Twilio reaches us on, e.g. `ai-crm.example.com`. */
  readonly publicHost: string | undefined;
  /** The public URL's scheme (https unless PUBLIC_BASE_URL says http); undefined when unset. */
  readonly publicScheme: 'https' | 'http' | undefined;
  readonly trustProxy: boolean;
  readonly twilioAccountSid: string | undefined;
  /** The real Twilio auth token; undefined when a local one is used instead. */
  readonly twilioAuthToken: string | undefined;
  /** Twilio REST API origin; a local emulator's fake REST server in tests and `agentlocator call`. */
  readonly twilioApiBaseUrl: string | undefined;
  readonly webhookSignatureMode: SignatureMode;
  readonly streamSignatureMode: SignatureMode;
  readonly dataDir: string;
  /** `undefined` = SQLite in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** The event bus's Redis channel / PostgreSQL LISTEN channel: instances sharing it are one cluster. */
  readonly busChannel: string;
  /** Where recordings are kept so every instance can serve them (src/blobs/). */
  readonly blobs: BlobConfig;
  readonly agent: AgentKind;
  /** The flow agent's call flow (JSON or YAML); undefined = the built-in Hebrew flow. */
  readonly flowFile: string | undefined;
  /** The agent directory (YAML or JSON), kept in sync; undefined = the directory lives in the store. */
  readonly agentsFile: string | undefined;
  /** Rendered prompts (μ-law), keyed by text and voice; default <dataDir>/tts/prompts. */
  readonly promptCacheDir: string;
  readonly openai: {
    readonly apiKey: string | undefined;
    readonly realtimeUrl: string;
    readonly model: string;
    readonly voice: string;
    /** A file whose text replaces the default Hebrew receptionist instructions. */
    readonly instructionsFile: string | undefined;
  };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** LOG_UNREDACTED=true: numbers, digits and transcripts in the logs as they are (debugging only). */
  readonly logUnredacted: boolean;
  readonly greeting: { readonly file: string | undefined; readonly text: string };
  readonly voicemail: {
    readonly prompt: string;
    readonly thanks: string;
    readonly transferDone: string;
    readonly maxLengthSec: number;
  };
  /**
   * Music for a caller waiting on a transfer. Not played: a ringing <Dial> gives the caller
   * ringback tones only (see README); set, it is reported at start-up.
   */
  readonly holdMusicUrl: string | undefined;
  /** Keep both legs of every call as a stereo WAV under dataDir/calls. */
  readonly recordCalls: boolean;
  readonly streamStartTimeoutMs: number;
  /** Media sockets still waiting for their `start` frame, in all and from one remote address. */
  readonly streamMaxPending: number;
  readonly streamMaxPendingPerAddress: number;
  readonly drainTimeoutMs: number;
  /**
   * A client must send its request headers within headersTimeoutMs of connecting and the whole
   * request within requestTimeoutMs: a slow sender (slowloris) holds a socket no longer.
   */
  readonly http: { headersTimeoutMs: number; requestTimeoutMs: number };
  /** Read and write the calls' WebSocket frames on ws's socket (src/ws/); false: through ws's API. */
  readonly wsDirectFrames: boolean;
  /** A silent caller on the Realtime agent: check-ins, then a goodbye and a hang-up. */
  readonly idle: {
    /** Caller silence after the agent's audio was heard (Twilio's marks) before a check-in. */
    readonly repromptMs: number;
    /** Check-ins before the goodbye. */
    readonly maxReprompts: number;
  };
  /** Signs session cookies; undefined = generated once into dataDir/session-secret. */
  readonly sessionSecret: string | undefined;
  /** The first admin's password when the store has no users; undefined = generated into a file. */
  readonly adminPassword: string | undefined;
  /** IANA zone the CRM's days (stats, date filters, CSV times) are counted in. */
  readonly timezone: string;
  /** Where `call.completed` is POSTed, signed with the secret; undefined = no webhook out. */
  readonly crmWebhook: { readonly url: string; readonly secret: string } | undefined;
  /** The built dashboard (Vite output) served at `/`; default dist/web of this package. */
  readonly dashboardDir: string;
  /** Capacity, metrics access (src/config/ops.ts). */
  readonly ops: OpsConfig;
  /**
   * Speech-to-text for voicemails and flow answers (OpenAI-compatible /audio/transcriptions);
   * undefined = TRANSCRIBE_URL unset: no audio leaves the machine.
   */
  readonly transcription: TranscriptionConfig | undefined;
  /** Post-call analysis (OpenAI-compatible /chat/completions); undefined = LLM_URL unset. */
  readonly llm: LlmConfig | undefined;
  /** DELETE_TWILIO_RECORDINGS=true: a voicemail kept and transcribed here is deleted at Twilio. */
  readonly deleteTwilioRecordings: boolean;
}

const DEFAULT_GREETING_HE = 'שלום, הגעתם לאייג׳נט לוקייטור. רגע אחד, אני מחבר אתכם.';
const DEFAULT_VOICEMAIL_HE = 'לא הצלחנו לחבר את השיחה. השאירו הודעה אחרי הצליל ונחזור אליכם.';
const DEFAULT_THANKS_HE = 'תודה, ההודעה נשמרה. להתראות.';
const DEFAULT_TRANSFER_DONE_HE = 'תודה שהתקשרתם. להתראות.';

/** The settings no group in src/config/ claims: the server, the agent, the call's prompts. */
const coreEnvSchema = z.object({
  PORT: int(5000, 0, 65535),
  HOST: opt(z.string()),
  TRUST_PROXY: bool(false),
  DATA_DIR: opt(z.string()),
  AGENT: z.preprocess(
    empty,
    z.enum(['flow', 'openai-realtime'], { message: 'must be "flow" or "openai-realtime"' }).optional(),
  ),
  FLOW_FILE: opt(z.string()),
  AGENTS_FILE: opt(z.string()),
  PROMPT_CACHE_DIR: opt(z.string()),
  OPENAI_API_KEY: opt(z.string()),
  OPENAI_REALTIME_URL: opt(
    z
      .string()
      .regex(/^wss?:\/\/[^/?#]+/, { message: 'must be a full ws:// or wss:// URL' })
      .refine((v) => !/^ws:/i.test(v) || isLoopbackUrl(v), {
        message: `ws:// sends the API key in cleartext: use wss://, or ws:// only to ${LOOPBACK}`,
      }),
  ),
  OPENAI_REALTIME_MODEL: opt(z.string()),
  OPENAI_VOICE: opt(z.string()),
  OPENAI_INSTRUCTIONS_FILE: opt(z.string()),
  LOG_LEVEL: z.preprocess(
    empty,
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        message: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .optional(),
  ),
  LOG_UNREDACTED: bool(false),
  GREETING_FILE: opt(z.string()),
  GREETING_TEXT: opt(z.string()),
  VOICEMAIL_PROMPT: opt(z.string()),
  VOICEMAIL_MAX_LENGTH: int(120, 5, 14400),
  HOLD_MUSIC_URL: opt(z.string().regex(/^https?:\/\/[^/?#]+/, { message: 'must be an http(s):// URL' })),
  RECORD_CALLS: bool(true),
  DRAIN_TIMEOUT_MS: int(600_000, 0, 4 * 3600_000),
  HTTP_HEADERS_TIMEOUT_MS: int(10000, 500, 120000),
  HTTP_REQUEST_TIMEOUT_MS: int(30000, 500, 300000),
  WS_DIRECT_FRAMES: bool(true),
  IDLE_REPROMPT_SEC: seconds(8, 0.05, 600),
  IDLE_MAX_REPROMPTS: int(2, 0, 10),
  DASHBOARD_DIR: opt(z.string()),
});

const envSchema = coreEnvSchema
  .merge(publicHostEnvSchema)
  .merge(twilioEnvSchema)
  .merge(scaleOutEnvSchema)
  .merge(crmEnvSchema)
  .merge(transcriptionLlmEnvSchema)
  .merge(opsEnvSchema);

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const variable = String(i.path[0] ?? '?');
        return `${variable}: ${i.message} (got ${shownValue(variable, env[variable] ?? '')})`;
      }),
    );
  }
  const e = parsed.data;
  const { publicHost, publicScheme } = publicOrigin(e);

  const agent: AgentKind = e.AGENT ?? 'flow';
  if (agent === 'openai-realtime' && !e.OPENAI_API_KEY && !e.OPENAI_REALTIME_URL) {
    throw new ConfigError([
      'AGENT=openai-realtime needs OPENAI_API_KEY (or OPENAI_REALTIME_URL for a keyless compatible server); ' +
        'unset AGENT to use the offline flow agent',
    ]);
  }
  // The cross-variable checks run in this order: the first that fails is the one reported.
  const twilio = twilioConfig(e);
  const crm = crmConfig(e);
  const transcriptionLlm = transcriptionLlmConfig(e);

  const dataDir = path.resolve(e.DATA_DIR ?? './data');
  const scaleOut = scaleOutConfig(e, dataDir);
  const config: Config = {
    port: e.PORT,
    bindHost: e.HOST ?? '0.0.0.0',
    publicHost,
    publicScheme,
    trustProxy: e.TRUST_PROXY,
    ...twilio,
    dataDir,
    ...scaleOut,
    agent,
    flowFile: e.FLOW_FILE ? path.resolve(e.FLOW_FILE) : undefined,
    agentsFile: e.AGENTS_FILE ? path.resolve(e.AGENTS_FILE) : undefined,
    promptCacheDir: path.resolve(e.PROMPT_CACHE_DIR ?? path.join(dataDir, 'tts', 'prompts')),
    openai: {
      apiKey: e.OPENAI_API_KEY,
      realtimeUrl: e.OPENAI_REALTIME_URL ?? 'wss://api.openai.com/v1/realtime',
      model: e.OPENAI_REALTIME_MODEL ?? 'gpt-realtime',
      voice: e.OPENAI_VOICE ?? 'alloy',
      instructionsFile: e.OPENAI_INSTRUCTIONS_FILE ? path.resolve(e.OPENAI_INSTRUCTIONS_FILE) : undefined,
    },
    logLevel: e.LOG_LEVEL ?? 'info',
    logUnredacted: e.LOG_UNREDACTED,
    greeting: { file: e.GREETING_FILE, text: e.GREETING_TEXT ?? DEFAULT_GREETING_HE },
    voicemail: {
      prompt: e.VOICEMAIL_PROMPT ?? DEFAULT_VOICEMAIL_HE,
      thanks: DEFAULT_THANKS_HE,
      transferDone: DEFAULT_TRANSFER_DONE_HE,
      maxLengthSec: e.VOICEMAIL_MAX_LENGTH,
    },
    holdMusicUrl: e.HOLD_MUSIC_URL,
    recordCalls: e.RECORD_CALLS,
    drainTimeoutMs: e.DRAIN_TIMEOUT_MS,
    http: { headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS },
    wsDirectFrames: e.WS_DIRECT_FRAMES,
    idle: { repromptMs: e.IDLE_REPROMPT_SEC, maxReprompts: e.IDLE_MAX_REPROMPTS },
    ...crm,
    // From src/ (tsx) and dist/ (built) alike, the package's dist/web.
    dashboardDir: path.resolve(e.DASHBOARD_DIR ?? fileURLToPath(new URL('../dist/web', import.meta.url))),
    ops: opsConfig(e),
    ...transcriptionLlm,
  };
  return deepFreeze(config);
}

/** Reads the process environment once; main.ts and the CLI call this, nothing else touches process.env. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
