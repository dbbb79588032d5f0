// The process logger: structured pino lines; caller numbers, keypad digits and transcripts redacted
// unless debug.
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/**
 * Personal data, at the top level and one object down: phone numbers (ours and Twilio's parameter
 * names), keypad digits (a typed ID or card number), what was said.
 */
const PERSONAL = ['from', 'to', 'From', 'To', 'caller', 'digit', 'digits', 'Digits', 'text', 'transcript'];
const REDACTED_PATHS = [...PERSONAL, ...PERSONAL.map((key) => `*.${key}`)];

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const debug = config.logLevel === 'debug' || config.logLevel === 'trace';
  return pino(
    {
      level: config.logLevel,
      base: { service: 'agentlocator' },
      redact: debug ? [] : { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
