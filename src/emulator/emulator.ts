// The emulator: a faithful Twilio for tests, `doctor`, `call` and the benchmark. It places inbound
// calls against a server over the network only (signed webhooks, TwiML, a signed media WebSocket)
// and keeps the live calls the fake REST API steers.
import { EmulatedCall, type CallEnv } from './call.js';
import { isSid } from './ids.js';
import { checkStreamUrl, connectStream } from './stream-connector.js';
import { requestTwilioStyle } from './http-client.js';
import type { TwilioCode } from './codes.js';
import type { EmulatorOptions, HttpExchange, PlaceCallOptions } from './types.js';

export interface StreamProbe {
  /** 101 received: the server speaks WebSocket on that URL and accepted Twilio's signature. */
  ok: boolean;
  url: string;
  dialled?: string;
  ms: number;
  code?: TwilioCode;
  message?: string;
  status?: number;
  location?: string;
}

export class TwilioEmulator {
  readonly accountSid: string;
  private readonly env: CallEnv;
  private readonly calls = new Map<string, EmulatedCall>();

  constructor(options: EmulatorOptions) {
    if (!isSid('AC', options.accountSid)) throw new Error('accountSid must be AC followed by 32 hex digits');
    if (!options.authToken) throw new Error('authToken is required');
    const speed = options.speed ?? 1;
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error('speed must be a positive number');
    for (const [from, to] of Object.entries(options.networkMap ?? {})) {
      if (!URL.canParse(from) || !URL.canParse(to)) {
        throw new Error(`networkMap entry ${from} → ${to} must map one absolute URL to another`);
      }
    }
    this.accountSid = options.accountSid;
    this.env = {
      authToken: options.authToken,
      accountSid: options.accountSid,
      map: options.networkMap ?? {},
      ca: options.ca,
      speed,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 15_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      streamConnectTimeoutMs: options.streamConnectTimeoutMs ?? 10_000,
    };
  }

  /** Places an inbound call; it runs in the background. Await `call.done` for its result. */
  placeCall(options: PlaceCallOptions): EmulatedCall {
    if (options.callSid !== undefined && !isSid('CA', options.callSid)) {
      throw new Error('callSid must be CA followed by 32 hex digits');
    }
    if (options.callSid !== undefined && this.calls.has(options.callSid)) {
      throw new Error(`call ${options.callSid} already exists`);
    }
    const call = new EmulatedCall(this.env, options);
    this.calls.set(call.callSid, call);
    call.start();
    return call;
  }

  /** A call placed by this emulator (live or ended), by CallSid. */
  getCall(callSid: string): EmulatedCall | undefined {
    return this.calls.get(callSid);
  }

  liveCalls(): EmulatedCall[] {
    return [...this.calls.values()].filter((c) => !c.isFinished);
  }

  /**
   * Opens a signed upgrade to a <Stream url> and closes it again (no `start`): the 101 self-test.
   * Checks the URL as Twilio would first (wss only, no query string).
   */
  async probeStream(streamUrl: string): Promise<StreamProbe> {
    const checked = checkStreamUrl(streamUrl, undefined);
    if (!checked.ok) return { ok: false, url: streamUrl, ms: 0, code: checked.code, message: checked.reason };
    const opened = await connectStream({
      url: checked.url,
      authToken: this.env.authToken,
      map: this.env.map,
      ca: this.env.ca,
      timeoutMs: this.env.streamConnectTimeoutMs,
    });
    if (!opened.ok) {
      return {
        ok: false,
        url: opened.signedUrl,
        dialled: opened.dialled,
        ms: opened.ms,
        code: opened.code,
        message: opened.reason,
        ...(opened.status !== undefined ? { status: opened.status } : {}),
        ...(opened.location ? { location: opened.location } : {}),
      };
    }
    // Close politely and wait (briefly) so the server sees a clean end, not a dropped socket.
    await new Promise<void>((resolve) => {
      const forced = setTimeout(() => {
        opened.ws.terminate();
        resolve();
      }, 1000);
      opened.ws.once('close', () => {
        clearTimeout(forced);
        resolve();
      });
      opened.ws.close(1000, 'probe');
    });
    return { ok: true, url: opened.signedUrl, dialled: opened.dialled, ms: opened.ms, status: 101 };
  }

  /** Sends any signed Twilio-style request (e.g. a status callback for a call that never existed). */
  async postSigned(
    url: string,
    params: Record<string, string>,
    method: 'GET' | 'POST' = 'POST',
  ): Promise<HttpExchange & { body?: string }> {
    const outcome = await requestTwilioStyle({
      method,
      url,
      params,
      authToken: this.env.authToken,
      map: this.env.map,
      ca: this.env.ca,
      timeoutMs: this.env.webhookTimeoutMs,
      connectTimeoutMs: this.env.connectTimeoutMs,
      maxBytes: 64 * 1024,
    });
    const base = {
      purpose: 'status-callback' as const,
      method,
      url: outcome.signedUrl,
      dialled: outcome.dialled,
      params,
      t: 0,
      ms: outcome.ms,
    };
    if (!outcome.ok) return { ...base, error: { code: 11205, message: outcome.message } };
    const contentType = outcome.headers['content-type'];
    return {
      ...base,
      status: outcome.status,
      ...(contentType ? { contentType } : {}),
      bytes: outcome.body.length,
      body: outcome.body.toString('utf8'),
    };
  }

  /** Hangs up every live call and waits for them to finish. */
  async close(): Promise<void> {
    await Promise.all(this.liveCalls().map((c) => c.terminate()));
  }
}
