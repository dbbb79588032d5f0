// The URL a command is pointed at: a public base URL (https://host) or the full incoming-call
// webhook URL. Works out the webhook URL and, for a plain-http target, the network map that lets
// the emulator reach the wss:// and https:// URLs the server's TwiML names over plain ws/http.
import type { NetworkMap } from '../emulator/index.js';

export const INCOMING_CALL_PATH = '/webhook/incoming_call';

export interface Target {
  /** The origin asked about, e.g. https://ai-crm.example.com or http://127.0.0.1:5000. */
  origin: string;
  /** host[:port], as a Stream URL for this deployment would name it. */
  host: string;
  secure: boolean;
  webhookUrl: string;
  /** Public https/wss origin → the http origin actually dialled (plain-http targets only). */
  networkMap: NetworkMap;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseTarget(raw: string | undefined): Target {
  if (!raw) throw new UsageError('a URL is required, e.g. https://ai-crm.example.com');
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `https://${raw.trim()}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`"${raw}" is not a URL; use the public base URL, e.g. https://ai-crm.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`"${raw}" must be an http(s) URL (Twilio calls your webhook over https)`);
  }
  if (url.username || url.password) throw new UsageError('the URL must not contain credentials');
  if (url.hash) throw new UsageError('the URL must not contain a #fragment');
  const path = url.pathname === '/' || url.pathname === '' ? INCOMING_CALL_PATH : url.pathname;
  const secure = url.protocol === 'https:';
  return {
    origin: url.origin,
    host: url.host,
    secure,
    webhookUrl: `${url.origin}${path}${url.search}`,
    networkMap: secure ? {} : { [`https://${url.host}`]: url.origin },
  };
}
