// What keeps secrets out of configuration errors and off the network in cleartext: values are
// masked before an error shows them, and plain http/ws is accepted only to a loopback host.
export const LOOPBACK = 'a loopback host (127.0.0.0/8, ::1, localhost)';

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
