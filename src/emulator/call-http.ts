// A call's HTTP side: fetching TwiML (webhook, actions, redirects) with Twilio's rules on status,
// size and content type; fetching <Play> audio; posting status callbacks. Every exchange is
// recorded, and every failure is named with the Twilio code it causes.
import { requestTwilioStyle, type HttpOutcome } from './http-client.js';
import type { NetworkMap } from './network.js';
import type { TwilioCode } from './codes.js';
import { parseTwiml, type Method, type Verb } from './twiml-parse.js';
import type { HttpExchange, RequestPurpose } from './types.js';

/** Twilio rejects TwiML over 64 kB (11750). */
const MAX_TWIML_BYTES = 64 * 1024;
/** Media Twilio would fetch for <Play>; bigger files are not read to the end. */
const MAX_AUDIO_BYTES = 32 * 1024 * 1024;
const MAX_CALLBACK_BYTES = 64 * 1024;

export interface HttpEnv {
  authToken: string;
  map: NetworkMap;
  /** PEM of a CA to trust besides the system's (a test's own CA behind its TLS proxy). */
  ca?: string | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
}

export interface Doc {
  verbs: Verb[];
  /** The URL the document came from: relative URLs resolve against it; none for REST TwiML. */
  url?: string;
  source: 'http' | 'rest';
  /** The TwiML text, when the document was TwiML. */
  xml?: string;
}

export type DocResult = { ok: true; doc: Doc } | { ok: false; code: TwilioCode; message: string };

export type AudioResult =
  | { ok: true; bytes: Buffer; contentType: string; exchange: HttpExchange }
  | { ok: false; code: TwilioCode; message: string; exchange: HttpExchange };

export interface CallHttpHooks {
  clock(): number;
  record(exchange: HttpExchange): void;
  document(url: string | undefined, xml: string): void;
  violate(code: TwilioCode, message: string): void;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The Twilio code for a request that got no usable answer. */
function networkCode(outcome: Extract<HttpOutcome, { ok: false }>): TwilioCode {
  return outcome.failure === 'tls' ? 11220 : 11205;
}

export class CallHttp {
  constructor(
    private readonly env: HttpEnv,
    private readonly hooks: CallHttpHooks,
  ) {}

  private async exchange(
    purpose: RequestPurpose,
    method: Method,
    url: string,
    params: Record<string, string>,
    maxBytes: number,
  ): Promise<{ outcome: HttpOutcome; exchange: HttpExchange }> {
    const outcome = await requestTwilioStyle({
      method,
      url,
      params,
      authToken: this.env.authToken,
      map: this.env.map,
      ca: this.env.ca,
      timeoutMs: this.env.timeoutMs,
      connectTimeoutMs: this.env.connectTimeoutMs,
      maxBytes,
    });
    const exchange: HttpExchange = {
      purpose,
      method,
      url: outcome.signedUrl,
      dialled: outcome.dialled,
      params,
      t: this.hooks.clock(),
      ms: outcome.ms,
    };
    if (outcome.ok) {
      exchange.status = outcome.status;
      exchange.contentType = header(outcome.headers['content-type']);
      exchange.bytes = outcome.body.length;
      const location = header(outcome.headers.location);
      if (location) exchange.location = location;
    }
    return { outcome, exchange };
  }

  private fail(exchange: HttpExchange, code: TwilioCode, message: string): DocResult {
    exchange.error = { code, message };
    this.hooks.record(exchange);
    this.hooks.violate(code, message);
    return { ok: false, code, message };
  }

  /** Requests TwiML and interprets the answer as Twilio does. */
  async fetchDocument(
    purpose: RequestPurpose,
    url: string,
    method: Method,
    params: Record<string, string>,
  ): Promise<DocResult> {
    const { outcome, exchange } = await this.exchange(purpose, method, url, params, MAX_TWIML_BYTES);
    const where = `${method} ${exchange.url}`;
    if (!outcome.ok) {
      const code = networkCode(outcome);
      const why = outcome.failure === 'timeout' ? `timed out (${outcome.message})` : outcome.message;
      return this.fail(exchange, code, `${where}: ${why}`);
    }
    if (outcome.status < 200 || outcome.status > 299) {
      const redirect = exchange.location
        ? ` (redirect to ${exchange.location}; Twilio wants the TwiML itself)`
        : '';
      return this.fail(exchange, 11200, `${where} answered HTTP ${outcome.status}${redirect}`);
    }
    if (outcome.overLimit) return this.fail(exchange, 11750, `${where}: TwiML body is over 64 kB`);
    const type = mediaType(exchange.contentType);
    const text = outcome.body.toString('utf8');
    if (type === 'text/xml' || type === 'application/xml' || type === 'text/html') {
      exchange.body = text;
      const parsed = parseTwiml(text);
      if (!parsed.ok) return this.fail(exchange, parsed.code, `${where}: ${parsed.reason}`);
      this.hooks.record(exchange);
      this.hooks.document(exchange.url, text);
      for (const warning of parsed.warnings) this.hooks.violate(12200, `${where}: ${warning}`);
      return { ok: true, doc: { verbs: parsed.verbs, url: exchange.url, source: 'http', xml: text } };
    }
    if (type.startsWith('audio/')) {
      // Twilio plays an audio answer and hangs up.
      this.hooks.record(exchange);
      return {
        ok: true,
        doc: { verbs: [{ verb: 'Play', url: exchange.url, loop: 1 }], url: exchange.url, source: 'http' },
      };
    }
    if (type === 'text/plain') {
      exchange.body = text;
      this.hooks.record(exchange);
      return {
        ok: true,
        doc: { verbs: [{ verb: 'Say', text, loop: 1 }], url: exchange.url, source: 'http' },
      };
    }
    return this.fail(
      exchange,
      12300,
      `${where} answered Content-Type ${JSON.stringify(exchange.contentType ?? '(none)')}; TwiML must be text/xml or application/xml`,
    );
  }

  /** Parses TwiML handed over by the REST API (no URL: relative URLs inside it are 15004). */
  inlineDocument(xml: string): DocResult {
    const parsed = parseTwiml(xml);
    if (!parsed.ok) {
      this.hooks.violate(parsed.code, `TwiML from the REST API: ${parsed.reason}`);
      return { ok: false, code: parsed.code, message: parsed.reason };
    }
    this.hooks.document(undefined, xml);
    for (const warning of parsed.warnings) this.hooks.violate(12200, `TwiML from the REST API: ${warning}`);
    return { ok: true, doc: { verbs: parsed.verbs, source: 'rest', xml } };
  }

  /** GETs a <Play> file: it must answer 2xx with an audio content type. */
  async fetchAudio(url: string): Promise<AudioResult> {
    const { outcome, exchange } = await this.exchange('play', 'GET', url, {}, MAX_AUDIO_BYTES);
    const failed = (code: TwilioCode, message: string): AudioResult => {
      exchange.error = { code, message };
      this.hooks.record(exchange);
      this.hooks.violate(code, message);
      return { ok: false, code, message, exchange };
    };
    if (!outcome.ok) return failed(networkCode(outcome), `<Play> GET ${url}: ${outcome.message}`);
    if (outcome.status < 200 || outcome.status > 299) {
      return failed(11200, `<Play> GET ${url} answered HTTP ${outcome.status}; the caller hears nothing`);
    }
    const type = mediaType(exchange.contentType);
    if (!type.startsWith('audio/')) {
      return failed(
        12300,
        `<Play> GET ${url} answered Content-Type ${JSON.stringify(exchange.contentType ?? '(none)')}, not audio`,
      );
    }
    this.hooks.record(exchange);
    return { ok: true, bytes: outcome.body, contentType: type, exchange };
  }

  /** Posts a status callback; Twilio ignores the body, and flags a non-2xx answer (15003). */
  async postCallback(
    purpose: RequestPurpose,
    url: string,
    method: Method,
    params: Record<string, string>,
  ): Promise<HttpExchange> {
    const { outcome, exchange } = await this.exchange(purpose, method, url, params, MAX_CALLBACK_BYTES);
    if (!outcome.ok) {
      const code = networkCode(outcome);
      exchange.error = { code, message: `${purpose} ${method} ${exchange.url}: ${outcome.message}` };
      this.hooks.violate(code, exchange.error.message);
    } else if (outcome.status < 200 || outcome.status > 299) {
      exchange.error = {
        code: 15003,
        message: `${purpose} ${method} ${exchange.url} answered HTTP ${outcome.status}`,
      };
      this.hooks.violate(15003, exchange.error.message);
    }
    this.hooks.record(exchange);
    return exchange;
  }
}
