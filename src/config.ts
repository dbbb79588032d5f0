// The only reader of process.env: parses, validates and freezes the configuration.
// A bad value stops start-up with a message naming the variable and what to set.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { opsConfig, opsEnvSchema, type OpsConfig } from './ops-config.js';

export type SignatureMode = 'enforce' | 'log-only';
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
  /** Capacity, metrics access (src/ops-config.ts). */
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

export interface TranscriptionConfig {
  /** Base URL of the API, e.g. https://api.openai.com/v1 (the client appends /audio/transcriptions). */
  readonly url: string;
  readonly apiKey: string | undefined;
  readonly model: string;
  /** ISO-639-1 language of the callers, e.g. he. */
  readonly language: string;
  /** Jobs (transcriptions and analyses) one instance runs at once. */
  readonly concurrency: number;
}

export interface LlmConfig {
  readonly url: string;
  readonly apiKey: string | undefined;
  readonly model: string;
}

export type BlobConfig =
  | { readonly kind: 'filesystem'; readonly dir: string }
  | {
      readonly kind: 's3';
      readonly endpoint: string;
      readonly bucket: string;
      readonly region: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
    };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_GREETING_HE = 'שלום, הגעתם לאייג׳נט לוקייטור. רגע אחד, אני מחבר אתכם.';
const DEFAULT_VOICEMAIL_HE = 'לא הצלחנו לחבר את השיחה. השאירו הודעה אחרי הצליל ונחזור אליכם.';
const DEFAULT_THANKS_HE = 'תודה, ההודעה נשמרה. להתראות.';
const DEFAULT_TRANSFER_DONE_HE = 'תודה שהתקשרתם. להתראות.';

const empty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(empty, schema.optional());
const bool = (def: boolean) =>
  z.preprocess(
    empty,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? def : ['true', '1', 'yes'].includes(v))),
  );
const int = (def: number, min: number, max: number) =>
  z.preprocess(
    empty,
    z.coerce
      .number({ message: 'must be a whole number' })
      .int({ message: 'must be a whole number' })
      .min(min, { message: `must be at least ${min}` })
      .max(max, { message: `must be at most ${max}` })
      .optional()
      .transform((v) => v ?? def),
  );
/** Seconds, fractions allowed (tests use short ones), as whole milliseconds. */
const seconds = (def: number, min: number, max: number) =>
  z.preprocess(
    empty,
    z.coerce
      .number({ message: 'must be a number of seconds' })
      .min(min, { message: `must be at least ${min}` })
      .max(max, { message: `must be at most ${max}` })
      .optional()
      .transform((v) => Math.round((v ?? def) * 1000)),
  );
const signatureMode = z.preprocess(
  empty,
  z
    .enum(['enforce', 'log-only'], { message: 'must be "enforce" or "log-only"' })
    .optional()
    .transform((v): SignatureMode => v ?? 'enforce'),
);

const LOOPBACK = 'a loopback host (127.0.0.0/8, ::1, localhost)';

/** True for 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The URL's host is loopback (the WHATWG parser normalises 127.1, 0x7f.0.0.1 and the like first). */
export function isLoopbackUrl(value: string): boolean {
  try {
    return isLoopbackHost(new URL(value).hostname);
  } catch {
    return false;
  }
}

/** Variables whose value is a secret: never echoed in a configuration error. */
const SECRET_NAME = /_(TOKEN|KEY|SECRET|PASSWORD)$/;

/**
 * A value as a configuration error may show it: a secret variable's value not at all; in anything
 * else, what could be a URL's userinfo (up to the last @: a password may hold / or #) and the
 * values of password/token/key/secret query parameters replaced by ***.
 */
export function shownValue(variable: string, value: string): string {
  if (SECRET_NAME.test(variable)) return `${value.length} characters, not shown`;
  const start = value.includes('://') ? value.indexOf('://') + 3 : 0;
  const at = value.lastIndexOf('@');
  const masked = (at >= start ? `${value.slice(0, start)}***${value.slice(at)}` : value).replace(
    /([?&;](?:[a-z_]*password|pass|pwd|[a-z_]*token|[a-z_]*key|[a-z_]*secret)=)[^&#;]*/gi,
    '$1***',
  );
  return `"${masked}"`;
}

const envSchema = z
  .object({
    PORT: int(5000, 0, 65535),
    HOST: opt(z.string()),
    PUBLIC_BASE_URL: opt(z.string()),
    PUBLIC_HOST: opt(z.string()),
    TRUST_PROXY: bool(false),
    TWILIO_ACCOUNT_SID: opt(
      z.string().regex(/^AC[0-9a-fA-F]{32}$/, { message: 'must look like AC + 32 hex digits' }),
    ),
    TWILIO_AUTH_TOKEN: opt(z.string().min(16, { message: 'looks too short for a Twilio auth token' })),
    TWILIO_API_BASE_URL: opt(
      z
        .string()
        .regex(/^https?:\/\/[^/?#]+/, { message: 'must be an http(s):// URL' })
        .refine((v) => !/^http:/i.test(v) || isLoopbackUrl(v), {
          message: `http:// sends the auth token in cleartext: use https://, or http:// only to ${LOOPBACK}`,
        }),
    ),
    WEBHOOK_SIGNATURE_CHECK: signatureMode,
    STREAM_SIGNATURE_CHECK: signatureMode,
    DATA_DIR: opt(z.string()),
    DATABASE_URL: opt(
      z.string().regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL, or empty for SQLite' }),
    ),
    REDIS_URL: opt(z.string().regex(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })),
    BUS_CHANNEL: opt(
      z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be lower-case letters, digits and _ (≤ 63)' }),
    ),
    BLOB_STORE: z.preprocess(
      empty,
      z.enum(['filesystem', 's3'], { message: 'must be "filesystem" or "s3"' }).optional(),
    ),
    BLOB_DIR: opt(z.string()),
    S3_ENDPOINT: opt(
      z.string().regex(/^https?:\/\/[^/?#]+\/?$/, { message: 'must be an http(s):// origin' }),
    ),
    S3_BUCKET: opt(
      z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name' }),
    ),
    S3_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, { message: 'must be a region such as us-east-1' })),
    S3_ACCESS_KEY_ID: opt(z.string()),
    S3_SECRET_ACCESS_KEY: opt(z.string()),
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
    STREAM_START_TIMEOUT_MS: int(5000, 100, 60000),
    STREAM_MAX_PENDING: int(256, 1, 100000),
    STREAM_MAX_PENDING_PER_ADDRESS: int(64, 1, 100000),
    RECORD_CALLS: bool(true),
    DRAIN_TIMEOUT_MS: int(600_000, 0, 4 * 3600_000),
    HTTP_HEADERS_TIMEOUT_MS: int(10000, 500, 120000),
    HTTP_REQUEST_TIMEOUT_MS: int(30000, 500, 300000),
    WS_DIRECT_FRAMES: bool(true),
    IDLE_REPROMPT_SEC: seconds(8, 0.05, 600),
    IDLE_MAX_REPROMPTS: int(2, 0, 10),
    SESSION_SECRET: opt(z.string().min(32, { message: 'must be at least 32 characters' })),
    ADMIN_PASSWORD: opt(
      z.string().min(8, { message: 'must be at least 8 characters' }).max(1024, { message: 'is too long' }),
    ),
    TIMEZONE: opt(
      z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as Asia/Jerusalem' }),
    ),
    CRM_WEBHOOK_URL: opt(
      z.string().regex(/^https?:\/\/[^/?#\s]+/i, { message: 'must be an http(s):// URL' }),
    ),
    CRM_WEBHOOK_SECRET: opt(z.string().min(16, { message: 'must be at least 16 characters' })),
    DASHBOARD_DIR: opt(z.string()),
    TRANSCRIBE_URL: opt(apiBaseUrl('TRANSCRIBE_API_KEY')),
    TRANSCRIBE_API_KEY: opt(z.string()),
    TRANSCRIBE_MODEL: opt(z.string().max(200)),
    TRANSCRIBE_LANGUAGE: opt(
      z.string().regex(/^[a-z]{2,3}$/, { message: 'must be an ISO-639-1 language code such as he' }),
    ),
    TRANSCRIBE_CONCURRENCY: int(2, 1, 64),
    DELETE_TWILIO_RECORDINGS: bool(false),
    LLM_URL: opt(apiBaseUrl('LLM_API_KEY')),
    LLM_API_KEY: opt(z.string()),
    LLM_MODEL: opt(z.string().max(200)),
  })
  .merge(opsEnvSchema);

/** The base URL of an OpenAI-compatible HTTP API: no query, no credentials in it. */
function apiBaseUrl(keyVariable: string) {
  return z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+[^?#\s]*$/i, { message: 'must be an http(s):// URL without a query' })
    .refine((v) => !/^https?:\/\/[^/]*@/i.test(v), {
      message: `must not carry credentials: put the key in ${keyVariable}`,
    });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** https for a bare host or an https/wss origin, http for http/ws: whether cookies need `Secure`. */
function publicSchemeOf(raw: string): 'https' | 'http' {
  return /^(http|ws):\/\//i.test(raw.trim()) ? 'http' : 'https';
}

/**
 * Reduces PUBLIC_BASE_URL / PUBLIC_HOST to a bare host[:port]. The seed's classic 31920 cause is a
 * scheme or stale domain leaking into the Stream URL, so anything but an origin is refused here.
 */
export function normalisePublicHost(raw: string, variable: string): string {
  const trimmed = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError([
      `${variable}: ${shownValue(variable, raw)} is not a host name; set it like ai-crm.example.com`,
    ]);
  }
  const problems: string[] = [];
  if (!['https:', 'http:', 'wss:', 'ws:'].includes(url.protocol))
    problems.push(`${variable}: scheme ${url.protocol} is not a web origin; set https://your.host`);
  if (url.username || url.password) problems.push(`${variable}: must not contain credentials`);
  if (url.pathname !== '/' && url.pathname !== '')
    problems.push(`${variable}: must be an origin without a path (got ${url.pathname})`);
  if (url.search || url.hash) problems.push(`${variable}: must not contain a query or fragment`);
  if (problems.length) throw new ConfigError(problems);
  // Twilio only speaks TLS to media streams; the default https port is implied.
  const port = url.port && url.port !== '443' ? `:${url.port}` : '';
  return `${url.hostname.toLowerCase()}${port}`;
}

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
  let publicHost: string | undefined;
  let publicScheme: Config['publicScheme'];
  if (e.PUBLIC_BASE_URL) publicHost = normalisePublicHost(e.PUBLIC_BASE_URL, 'PUBLIC_BASE_URL');
  else if (e.PUBLIC_HOST) publicHost = normalisePublicHost(e.PUBLIC_HOST, 'PUBLIC_HOST');
  const publicRaw = e.PUBLIC_BASE_URL ?? e.PUBLIC_HOST;
  if (publicRaw) publicScheme = publicSchemeOf(publicRaw);

  const agent: AgentKind = e.AGENT ?? 'flow';
  if (agent === 'openai-realtime' && !e.OPENAI_API_KEY && !e.OPENAI_REALTIME_URL) {
    throw new ConfigError([
      'AGENT=openai-realtime needs OPENAI_API_KEY (or OPENAI_REALTIME_URL for a keyless compatible server); ' +
        'unset AGENT to use the offline flow agent',
    ]);
  }

  if (e.WEBHOOK_SIGNATURE_CHECK === 'log-only' && e.STREAM_SIGNATURE_CHECK === 'log-only') {
    throw new ConfigError([
      'WEBHOOK_SIGNATURE_CHECK and STREAM_SIGNATURE_CHECK are both log-only: anyone could then fake a ' +
        'call and open its media stream; keep at least one of them "enforce"',
    ]);
  }
  if (e.CRM_WEBHOOK_URL && !e.CRM_WEBHOOK_SECRET) {
    throw new ConfigError([
      'CRM_WEBHOOK_URL is set without CRM_WEBHOOK_SECRET: set a secret of at least 16 characters (the receiver verifies the signature with it)',
    ]);
  }

  for (const [key, url] of [
    ['TRANSCRIBE_API_KEY', 'TRANSCRIBE_URL'],
    ['LLM_API_KEY', 'LLM_URL'],
  ] as const) {
    if (e[key] && !e[url]) {
      throw new ConfigError([
        `${key} is set without ${url}: set ${url} too (e.g. https://api.openai.com/v1), or unset ${key}`,
      ]);
    }
    // A key over plain http would cross the network readable; the audio may, to the operator's own box.
    if (e[key] && e[url] && /^http:/i.test(e[url]) && !isLoopbackUrl(e[url])) {
      throw new ConfigError([
        `${url}: http:// sends ${key} in cleartext (got ${shownValue(url, e[url])}): use https://, or http:// only to ${LOOPBACK}`,
      ]);
    }
  }

  const dataDir = path.resolve(e.DATA_DIR ?? './data');
  const blobs = blobConfig(e, dataDir);
  const config: Config = {
    port: e.PORT,
    bindHost: e.HOST ?? '0.0.0.0',
    publicHost,
    publicScheme,
    trustProxy: e.TRUST_PROXY,
    twilioAccountSid: e.TWILIO_ACCOUNT_SID,
    twilioAuthToken: e.TWILIO_AUTH_TOKEN,
    twilioApiBaseUrl: e.TWILIO_API_BASE_URL,
    webhookSignatureMode: e.WEBHOOK_SIGNATURE_CHECK,
    streamSignatureMode: e.STREAM_SIGNATURE_CHECK,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    busChannel: e.BUS_CHANNEL ?? 'agentlocator_bus',
    blobs,
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
    streamStartTimeoutMs: e.STREAM_START_TIMEOUT_MS,
    streamMaxPending: e.STREAM_MAX_PENDING,
    streamMaxPendingPerAddress: e.STREAM_MAX_PENDING_PER_ADDRESS,
    recordCalls: e.RECORD_CALLS,
    drainTimeoutMs: e.DRAIN_TIMEOUT_MS,
    http: { headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS },
    wsDirectFrames: e.WS_DIRECT_FRAMES,
    idle: { repromptMs: e.IDLE_REPROMPT_SEC, maxReprompts: e.IDLE_MAX_REPROMPTS },
    sessionSecret: e.SESSION_SECRET,
    adminPassword: e.ADMIN_PASSWORD,
    timezone: e.TIMEZONE ?? 'Asia/Jerusalem',
    crmWebhook:
      e.CRM_WEBHOOK_URL && e.CRM_WEBHOOK_SECRET
        ? { url: e.CRM_WEBHOOK_URL, secret: e.CRM_WEBHOOK_SECRET }
        : undefined,
    // From src/ (tsx) and dist/ (built) alike, the package's dist/web.
    dashboardDir: path.resolve(e.DASHBOARD_DIR ?? fileURLToPath(new URL('../dist/web', import.meta.url))),
    ops: opsConfig(e),
    transcription: e.TRANSCRIBE_URL
      ? {
          url: e.TRANSCRIBE_URL.replace(/\/+$/, ''),
          apiKey: e.TRANSCRIBE_API_KEY,
          model: e.TRANSCRIBE_MODEL ?? 'whisper-1',
          language: e.TRANSCRIBE_LANGUAGE ?? 'he',
          concurrency: e.TRANSCRIBE_CONCURRENCY,
        }
      : undefined,
    llm: e.LLM_URL
      ? { url: e.LLM_URL.replace(/\/+$/, ''), apiKey: e.LLM_API_KEY, model: e.LLM_MODEL ?? 'gpt-4o-mini' }
      : undefined,
    deleteTwilioRecordings: e.DELETE_TWILIO_RECORDINGS,
  };
  return deepFreeze(config);
}

/** BLOB_STORE=s3 needs its endpoint, bucket and keys; the filesystem default is BLOB_DIR or DATA_DIR. */
function blobConfig(e: z.infer<typeof envSchema>, dataDir: string): BlobConfig {
  if (e.BLOB_STORE !== 's3') return { kind: 'filesystem', dir: path.resolve(e.BLOB_DIR ?? dataDir) };
  const {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: keyId,
    S3_SECRET_ACCESS_KEY: secret,
  } = e;
  if (!endpoint || !bucket || !keyId || !secret) {
    const missing = {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: keyId,
      S3_SECRET_ACCESS_KEY: secret,
    };
    throw new ConfigError(
      Object.entries(missing)
        .filter(([, v]) => !v)
        .map(([k]) => `${k}: BLOB_STORE=s3 needs it`),
    );
  }
  return {
    kind: 's3',
    endpoint: endpoint.replace(/\/$/, ''),
    bucket,
    region: e.S3_REGION ?? 'us-east-1',
    accessKeyId: keyId,
    secretAccessKey: secret,
  };
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
