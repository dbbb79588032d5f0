// A fake of Twilio's REST API for calls, as twilio-node speaks it: a real HTTP server (port 0) with
// HTTP Basic auth (20003), Twilio's error JSON (20404 unknown call, 21220 call not in progress),
// POST …/Calls/{Sid}.json with Status=completed (hang up), Twiml or Url (replace the TwiML), and
// GET for the Call resource. It steers the emulator's calls.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { TwilioEmulator } from './emulator.js';
import type { EmulatedCall } from './call.js';
import { rfc2822 } from './params.js';

export interface FakeRestOptions {
  emulator: TwilioEmulator;
  /** Defaults to the emulator's account. */
  accountSid?: string;
  authToken: string;
  /** Listen on this port of 127.0.0.1 (default: any free port), e.g. for a server started beforehand. */
  port?: number;
  /**
   * Twilio failing (fault tests): asked for each authenticated call request, the answer to give
   * instead of the real one. `timeout` never answers (the socket is held until close).
   */
  fault?: (request: {
    method: string;
    path: string;
    params: Record<string, string>;
  }) => RestFault | undefined;
}

/** A Twilio REST failure: a 5xx, a 429 (with Retry-After), or no answer at all. */
export type RestFault = { status: 500 | 502 | 503 | 429; retryAfterSec?: number } | 'timeout';

export interface RestRequestRecord {
  method: string;
  path: string;
  /** 0: the fake never answered (a `timeout` fault). */
  status: number;
  params: Record<string, string>;
  /** Twilio's error code in the answer, if any. */
  code?: number;
}

export interface FakeTwilioRest {
  /** Base URL, e.g. http://127.0.0.1:40123 (point the REST client's baseUrl here). */
  url: string;
  port: number;
  readonly requests: RestRequestRecord[];
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
/** Twilio's limit on the Twiml parameter. */
const MAX_TWIML = 4000;
const CALL_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;

function errorBody(status: number, code: number, message: string, extra: Record<string, unknown> = {}) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status, ...extra };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function callResource(accountSid: string, call: EmulatedCall, statusOverride?: string) {
  const uri = `/2010-04-01/Accounts/${accountSid}/Calls/${call.callSid}.json`;
  const end = call.endTime;
  const now = rfc2822(new Date());
  return {
    account_sid: accountSid,
    annotation: null,
    answered_by: null,
    api_version: '2010-04-01',
    caller_name: null,
    date_created: rfc2822(call.startTime),
    date_updated: now,
    direction: 'inbound',
    duration: end ? String(Math.round((end.getTime() - call.startTime.getTime()) / 1000)) : null,
    end_time: end ? rfc2822(end) : null,
    forwarded_from: null,
    from: call.from,
    from_formatted: call.from,
    group_sid: null,
    parent_call_sid: null,
    phone_number_sid: null,
    price: null,
    price_unit: 'USD',
    queue_time: '0',
    sid: call.callSid,
    start_time: rfc2822(call.startTime),
    status: statusOverride ?? call.status,
    subresource_uris: {
      recordings: uri.replace('.json', '/Recordings.json'),
      streams: uri.replace('.json', '/Streams.json'),
    },
    to: call.to,
    to_formatted: call.to,
    trunk_sid: null,
    uri,
  };
}

export async function startFakeTwilioRest(options: FakeRestOptions): Promise<FakeTwilioRest> {
  const accountSid = options.accountSid ?? options.emulator.accountSid;
  const requests: RestRequestRecord[] = [];

  const handle = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const params = Object.fromEntries(new URLSearchParams(body));
    const send = (status: number, payload: Record<string, unknown>, headers: Record<string, string> = {}) => {
      requests.push({
        method: req.method ?? '',
        path,
        status,
        params,
        ...(typeof payload.code === 'number' && status >= 400 ? { code: payload.code } : {}),
      });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };

    const auth = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [user, ...rest] = auth ? Buffer.from(auth, 'base64').toString('utf8').split(':') : [];
    const password = rest.join(':');
    const match = CALL_PATH.exec(path);
    if (
      !user ||
      !sameSecret(user, accountSid) ||
      !sameSecret(password, options.authToken) ||
      (match && match[1] !== accountSid)
    ) {
      return send(
        401,
        errorBody(401, 20003, 'Authenticate', { detail: 'Your AccountSid or AuthToken was incorrect.' }),
        {
          'www-authenticate': 'Basic realm="Twilio API"',
        },
      );
    }
    const fault = options.fault?.({ method: req.method ?? '', path, params });
    if (fault === 'timeout') {
      requests.push({ method: req.method ?? '', path, status: 0, params });
      return;
    }
    if (fault) {
      const code = fault.status === 429 ? 20429 : 20500;
      const message = fault.status === 429 ? 'Too Many Requests' : 'Internal Server Error';
      return send(
        fault.status,
        errorBody(fault.status, code, message),
        fault.retryAfterSec !== undefined ? { 'retry-after': String(fault.retryAfterSec) } : {},
      );
    }
    const notFound = () => send(404, errorBody(404, 20404, `The requested resource ${path} was not found`));
    if (!match) return notFound();
    const call = options.emulator.getCall(match[2]!);
    if (!call) return notFound();

    if (req.method === 'GET') return send(200, callResource(accountSid, call));
    if (req.method !== 'POST') return send(405, errorBody(405, 20004, 'Method not allowed'));

    const { Status: status, Twiml: twiml, Url: url, Method: method } = params;
    if (status !== undefined) {
      if (status !== 'completed' && status !== 'canceled') {
        return send(400, errorBody(400, 20001, `Status must be completed or canceled, not ${status}`));
      }
      call.applyUpdate({ status });
      // Hanging up a call that already ended is a no-op that answers with the resource.
      return send(200, callResource(accountSid, call, call.isFinished ? undefined : 'completed'));
    }
    if (twiml === undefined && url === undefined) {
      return send(400, errorBody(400, 20001, 'one of Status, Twiml or Url is required'));
    }
    if (twiml !== undefined && twiml.length > MAX_TWIML) {
      return send(
        400,
        errorBody(400, 20001, `Twiml is ${twiml.length} characters; the limit is ${MAX_TWIML}`),
      );
    }
    if (url !== undefined) {
      try {
        new URL(url);
      } catch {
        return send(400, errorBody(400, 21205, `Url is not a valid URL: ${url}`));
      }
    }
    const upper = method?.toUpperCase();
    const applied = call.applyUpdate({
      ...(twiml !== undefined ? { twiml } : { url }),
      method: upper === 'GET' ? 'GET' : 'POST',
    });
    if (!applied) return send(400, errorBody(400, 21220, 'Call is not in-progress. Cannot redirect.'));
    return send(200, callResource(accountSid, call));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify(errorBody(413, 20001, 'request body too large')));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      try {
        handle(req, Buffer.concat(chunks).toString('utf8'), res);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorBody(500, 20500, `fake REST server error: ${(err as Error).message}`)));
      }
    });
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
