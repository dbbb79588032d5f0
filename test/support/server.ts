// Starts the real server (startServer, as `npm start` does) on port 0 with a temp data dir and a
// log capture, so tests assert on behaviour and on the log lines an operator would read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import twilio from 'twilio';
import { parseConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { encodeMp3 } from '../../src/audio/mp3.js';
import { startServer, type RunningServer, type ServeOverrides } from '../../src/serve.js';

export const TEST_AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const TEST_ACCOUNT_SID = 'AC' + '0'.repeat(32);

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export class LogCapture extends Writable {
  readonly lines: LogLine[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) this.lines.push(JSON.parse(line) as LogLine);
    }
    done();
  }
  find(msg: string | RegExp): LogLine[] {
    return this.lines.filter((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg)));
  }
}

export interface TestServer extends RunningServer {
  config: Config;
  logs: LogCapture;
  dataDir: string;
  /** Origin such as http://127.0.0.1:40123 */
  origin: string;
  host: string;
}

let sharedGreeting: string | undefined;
/** A small real MP3 (0.2 s of silence), made once per test process, used unless a test asks otherwise. */
function testGreetingFile(): string {
  if (!sharedGreeting) {
    sharedGreeting = path.join(tmpdir(), `agentlocator-greeting-${process.pid}.mp3`);
    writeFileSync(sharedGreeting, encodeMp3(new Int16Array(1600), 8000));
  }
  return sharedGreeting;
}

/**
 * WS_DIRECT_FRAMES as this test run was started with (`.ci/run` runs the media-stream and e2e
 * tests a second time with it false); every test server gets it unless the test sets its own.
 */
export const DIRECT_FRAMES = parseConfig({ WS_DIRECT_FRAMES: process.env.WS_DIRECT_FRAMES }).wsDirectFrames;

/** The configuration every test server starts from (port 0, a temp data dir), with `env` over it. */
export function testConfig(env: Record<string, string> = {}): Config {
  return parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: env.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'agentlocator-test-')),
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    LOG_LEVEL: 'info',
    DRAIN_TIMEOUT_MS: '0',
    GREETING_FILE: testGreetingFile(),
    // Rendered prompts are shared by every test server (atomic writes make that safe).
    PROMPT_CACHE_DIR: path.join(tmpdir(), 'agentlocator-test-prompts'),
    WS_DIRECT_FRAMES: String(DIRECT_FRAMES),
    ...env,
  });
}

export async function startTestServer(
  env: Record<string, string> = {},
  overrides: ServeOverrides = {},
): Promise<TestServer> {
  const config = testConfig(env);
  const dataDir = config.dataDir;
  // A DATA_DIR the test chose outlives the server (restarts on the same directory); ours does not.
  const ownDataDir = env.DATA_DIR === undefined;
  const logs = new LogCapture();
  const log = createLogger(config, logs);
  const server = await startServer(config, log, overrides);
  await server.greeting.ready;
  const origin = server.url;
  const stop = server.stop;
  return {
    ...server,
    config,
    logs,
    dataDir,
    origin,
    host: new URL(origin).host,
    stop: async () => {
      await stop();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A port free right now, for servers that must be known before they start (emulator network maps). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

let sidCounter = 0;
/** A fresh, well-formed CallSid. */
export function newCallSid(): string {
  sidCounter += 1;
  return `CA${(Date.now().toString(16) + sidCounter.toString(16).padStart(8, '0')).padStart(32, '0').slice(-32)}`;
}

export interface SignOptions {
  token?: string;
  /** The URL the signature is computed over (default: the URL posted to). */
  signedUrl?: string;
  headers?: Record<string, string>;
  /** A signature to send as is; null sends none. */
  signature?: string | null;
}

/** The headers of a form POST as Twilio sends it to `url`, signed as `opts` says. */
export function signedFormHeaders(
  url: string,
  params: Record<string, string>,
  opts: SignOptions = {},
): Record<string, string> {
  const signature =
    opts.signature === null
      ? undefined
      : (opts.signature ??
        twilio.getExpectedTwilioSignature(opts.token ?? TEST_AUTH_TOKEN, opts.signedUrl ?? url, params));
  return {
    'content-type': 'application/x-www-form-urlencoded',
    ...(signature ? { 'x-twilio-signature': signature } : {}),
    ...opts.headers,
  };
}

/** POSTs a form to the server as Twilio would, over a real socket. */
export async function postSigned(
  url: string,
  params: Record<string, string>,
  opts: SignOptions = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: signedFormHeaders(url, params, opts),
    body: new URLSearchParams(params).toString(),
  });
}

export function incomingCallParams(
  callSid: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    CallSid: callSid,
    AccountSid: TEST_ACCOUNT_SID,
    From: '+972501234567',
    To: '+97231234567',
    CallStatus: 'ringing',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
    ...extra,
  };
}
