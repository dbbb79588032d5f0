// Helpers for a call's clock and TwiML URLs, pure apart from the one timer sleep() owns.
import type { TwilioCode } from './codes.js';

/**
 * Waits `callMs` of call time (wall time = callMs / speed). Resolves true when the time is up,
 * false at once if `signal` aborts first (a hang-up or a REST update); the timer never outlives it.
 */
export function sleepCallTime(callMs: number, speed: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (callMs <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, callMs / speed);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type UrlResolution = { ok: true; url: string } | { ok: false; code: TwilioCode; message: string };

/**
 * Resolves a URL found in TwiML against the document it came from, as Twilio does. TwiML handed to
 * the REST API has no URL, so a relative URL in it is Twilio's 15004.
 */
export function resolveTwimlUrl(raw: string, documentUrl: string | undefined, what: string): UrlResolution {
  const text = raw.trim();
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(text);
  if (!absolute && !documentUrl) {
    return {
      ok: false,
      code: 15004,
      message: `${what} URL ${JSON.stringify(text)} is relative in TwiML passed to the REST API`,
    };
  }
  try {
    return { ok: true, url: new URL(text, documentUrl).href };
  } catch {
    return { ok: false, code: 11100, message: `${what} URL ${JSON.stringify(text)} is not a valid URL` };
  }
}
