// The process logger: structured pino lines; caller numbers and transcripts redacted unless debug.
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const debug = config.logLevel === 'debug' || config.logLevel === 'trace';
  return pino(
    {
      level: config.logLevel,
      base: { service: 'agentlocator' },
      redact: debug
        ? []
        : { paths: ['from', 'to', 'caller', 'text', 'transcript', '*.from', '*.to'], censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
