// How long a browser stays signed in and how its cookie is set: one place for the numbers the
// session plugin, the gate and the login share.
import type { FastifySessionOptions } from '@fastify/session';
import type { Config } from '../config.js';

export const SESSION_COOKIE = 'al_session';
/** Only the API reads the session: webhooks, media and static files never see the cookie. */
export const SESSION_COOKIE_PATH = '/api';
/** Idle lifetime: a week without use signs the browser out (rolling: each use moves it on). */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
/** Absolute lifetime: after 30 days the password is asked again, however busy the session. */
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
/** The rolling renewal is written at most this often, not on every request. */
export const SESSION_RENEW_MS = 10 * 60_000;

/**
 * Secure when the public URL is https (or, with no public URL set, when the request came over
 * https, which honours TRUST_PROXY). SameSite=Lax, not Strict: a link to the dashboard from an
 * e-mail or chat (a top-level GET) must arrive signed in; cross-site POSTs carry no cookie, GETs
 * change nothing, and every state change needs the CSRF token anyway.
 */
export function sessionCookie(
  config: Pick<Config, 'publicScheme'>,
): NonNullable<FastifySessionOptions['cookie']> {
  return {
    path: SESSION_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicScheme === undefined ? 'auto' : config.publicScheme === 'https',
    maxAge: SESSION_IDLE_MS,
  };
}
