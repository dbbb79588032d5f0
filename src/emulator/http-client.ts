// Twilio's outgoing HTTP requests: signed (X-Twilio-Signature over the public URL), dialled through
// the network map, bounded by Twilio's timeouts (10 s to connect, 15 s in all), and every network
// failure classified so callers can name the Twilio error it causes. Never throws.
import tls from 'node:tls';
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { planDial, type NetworkMap } from './network.js';

export type NetFailure = 'refused' | 'connect-timeout' | 'timeout' | 'tls' | 'dns' | 'reset' | 'other';

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  /** The public URL, as Twilio would request it (and sign it). */
  url: string;
  /** Form parameters: the body of a POST, appended to the query of a GET (as Twilio does). */
  params: Record<string, string>;
  authToken: string;
  map: NetworkMap;
  /** PEM of a CA to trust besides the system's (a test's own CA behind its TLS proxy). */
  ca?: string | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Bytes of body kept; one more is read so callers can tell "exactly the limit" from "over". */
  maxBytes: number;
}

interface Common {
  /** The URL signed (for a GET, with the parameters in its query). */
  signedUrl: string;
  /** The URL actually connected to. */
  dialled: string;
  ms: number;
}

export type HttpOutcome =
  | (Common & {
      ok: true;
      status: number;
      headers: http.IncomingHttpHeaders;
      body: Buffer;
      /** The body was longer than maxBytes (the rest was not read). */
      overLimit: boolean;
    })
  | (Common & { ok: false; failure: NetFailure; message: string });

const TLS_CODES = /^(ERR_SSL|ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|EPROTO$|HOSTNAME_MISMATCH)/;

/** Maps a socket error to what Twilio would have seen. */
export function classifyNetError(err: unknown): { failure: NetFailure; message: string } {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  const message = e?.message ?? String(err);
  if (code === 'ECONNREFUSED') return { failure: 'refused', message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { failure: 'dns', message };
  if (code === 'ETIMEDOUT') return { failure: 'connect-timeout', message };
  if (TLS_CODES.test(code) || /SSL|TLS|certificate/i.test(message)) return { failure: 'tls', message };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { failure: 'reset', message };
  return { failure: 'other', message: code ? `${code}: ${message}` : message };
}

/** The headers every Twilio request carries besides the signature. */
function twilioHeaders(): Record<string, string> {
  return { 'user-agent': 'TwilioProxy/1.1', 'i-twilio-idempotency-token': randomUUID() };
}

export function signedUrlFor(spec: Pick<HttpRequestSpec, 'method' | 'url' | 'params'>): string {
  if (spec.method === 'POST') return spec.url;
  const url = new URL(spec.url);
  for (const [k, v] of Object.entries(spec.params)) url.searchParams.append(k, v);
  return url.href;
}

export function requestTwilioStyle(spec: HttpRequestSpec): Promise<HttpOutcome> {
  const started = performance.now();
  const signedUrl = signedUrlFor(spec);
  let publicUrl: URL;
  try {
    publicUrl = new URL(signedUrl);
  } catch (err) {
    return Promise.resolve({
      ok: false,
      failure: 'other',
      message: `invalid URL: ${(err as Error).message}`,
      signedUrl,
      dialled: signedUrl,
      ms: 0,
    });
  }
  const plan = planDial(publicUrl, spec.map);
  const dialled = plan.dialUrl.href;
  const signature = twilio.getExpectedTwilioSignature(
    spec.authToken,
    signedUrl,
    spec.method === 'POST' ? spec.params : {},
  );
  const body = spec.method === 'POST' ? new URLSearchParams(spec.params).toString() : undefined;
  const headers: Record<string, string> = {
    ...twilioHeaders(),
    'x-twilio-signature': signature,
    ...plan.proxyHeaders,
  };
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const secure = plan.dialUrl.protocol === 'https:';
  const mod = secure ? https : http;

  return new Promise<HttpOutcome>((resolve) => {
    const elapsed = () => Math.round(performance.now() - started);
    let req: http.ClientRequest;
    try {
      req = mod.request(plan.dialUrl, {
        method: spec.method,
        headers,
        agent: false,
        ...(secure && plan.proxyHeaders.host ? { servername: publicUrl.hostname } : {}),
        ...(secure && spec.ca ? { ca: [...tls.rootCertificates, spec.ca] } : {}),
      });
    } catch (err) {
      const c = classifyNetError(err);
      return resolve({ ok: false, ...c, signedUrl, dialled, ms: elapsed() });
    }
    let settled = false;
    const finish = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      resolve(outcome);
    };
    const fail = (failure: NetFailure, message: string) =>
      finish({ ok: false, failure, message, signedUrl, dialled, ms: elapsed() });
    const totalTimer = setTimeout(() => {
      fail('timeout', `no complete answer within ${spec.timeoutMs} ms`);
      req.destroy();
    }, spec.timeoutMs);
    const connectTimer = setTimeout(() => {
      fail('connect-timeout', `could not connect within ${spec.connectTimeoutMs} ms`);
      req.destroy();
    }, spec.connectTimeoutMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (err) => {
      const c = classifyNetError(err);
      fail(c.failure, c.message);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let overLimit = false;
      res.on('data', (chunk: Buffer) => {
        if (overLimit) return;
        size += chunk.length;
        chunks.push(chunk);
        if (size > spec.maxBytes) {
          overLimit = true;
          done();
          res.destroy();
        }
      });
      res.on('error', (err) => {
        const c = classifyNetError(err);
        fail(c.failure, c.message);
      });
      const done = () =>
        finish({
          ok: true,
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).subarray(0, spec.maxBytes),
          overLimit,
          signedUrl,
          dialled,
          ms: elapsed(),
        });
      res.on('end', done);
    });
    req.end(body);
  });
}
