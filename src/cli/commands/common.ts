// What the network commands (doctor, call, twiml) share: argument parsing that turns mistakes into
// usage errors, the configuration (read once, through config.ts), credentials and budgets.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../../config.js';
import { resolveCredentials, type Credentials } from '../credentials.js';
import { UsageError } from '../target.js';

export const CREDENTIAL_OPTIONS = {
  'auth-token': { type: 'string' },
  'account-sid': { type: 'string' },
  json: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A positive number of seconds from an option, as milliseconds. */
export function seconds(value: string | undefined, name: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of seconds`);
  return Math.round(n * 1000);
}

/**
 * The configuration, when the environment has a valid one. With an explicit --auth-token a broken
 * environment does not matter (the CLI may be run far from the server); without it, it does.
 */
function configFor(hasToken: boolean): Config | undefined {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError && hasToken) return undefined;
    throw err;
  }
}

export async function credentialsFrom(values: {
  'auth-token'?: string | undefined;
  'account-sid'?: string | undefined;
}): Promise<Credentials> {
  const config = configFor(values['auth-token'] !== undefined);
  return resolveCredentials({ authToken: values['auth-token'], accountSid: values['account-sid'], config });
}
