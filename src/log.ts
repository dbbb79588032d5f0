// The process logger: structured pino lines; caller numbers, keypad digits and transcripts redacted
// at every level (debug included) and at any depth, unless LOG_UNREDACTED=true asks otherwise.
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/**
 * Personal data: phone numbers (ours, Twilio's parameter names, the store's columns), keypad
 * digits (a typed ID or card number), what was said and what it was summed up as.
 */
const PERSONAL = new Set([
  'from',
  'to',
  'From',
  'To',
  'caller',
  'phone',
  'fromNumber',
  'toNumber',
  'digit',
  'digits',
  'Digits',
  'text',
  'transcript',
  'summary',
]);
export const REDACTED = '[redacted]';
const BINDING_PATHS = [...PERSONAL].flatMap((key) => [key, `*.${key}`]);
/** Deeper than any line we write; past it a value is redacted whole rather than walked. */
const MAX_DEPTH = 8;

const isPlain = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * The value with every personal key's value replaced, in plain objects and arrays at any depth.
 * Copy on write: a line without personal data is returned as it was (no allocation). Errors,
 * Buffers and other class instances are left to their serializers.
 */
export function redactPersonal(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return REDACTED;
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = redactPersonal(item, depth + 1);
      if (next !== item) (out ??= value.slice())[i] = next;
    });
    return out ?? value;
  }
  if (!isPlain(value)) return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next =
      PERSONAL.has(key) && item !== undefined && item !== null ? REDACTED : redactPersonal(item, depth + 1);
    if (next !== item) (out ??= { ...value })[key] = next;
  }
  return out ?? value;
}

export function createLogger(
  config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logUnredacted'>>,
  destination?: pino.DestinationStream,
): Logger {
  const unredacted = config.logUnredacted === true;
  const redact = (obj: Record<string, unknown>) => redactPersonal(obj) as Record<string, unknown>;
  const log = pino(
    {
      level: config.logLevel,
      base: { service: 'agentlocator' },
      // The line's own fields are walked at any depth; a child's bindings (log.child({ from })),
      // which pino does not pass to a formatter, get pino's own redaction two levels down.
      ...(unredacted
        ? {}
        : { formatters: { log: redact }, redact: { paths: BINDING_PATHS, censor: REDACTED } }),
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
  if (unredacted) {
    log.warn(
      'LOG_UNREDACTED: !!! caller numbers, keypad digits and transcripts are written to the logs AS THEY ARE (LOG_UNREDACTED=true). Unset it once you are done debugging.',
    );
  }
  return log;
}
