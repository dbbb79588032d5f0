// The greeting MP3 behind /static/tts/greeting_he.mp3: a configured file, or the one rendered
// offline into the data directory. Until it exists, the TwiML speaks the greeting with <Say>.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { GreetingSource } from './server/static-routes.js';

export function loadGreeting(config: Config, log: Logger): GreetingSource & { close(): Promise<void> } {
  let bytes: Buffer | undefined;
  const file = config.greeting.file ?? path.join(config.dataDir, 'tts', 'greeting_he.mp3');
  try {
    bytes = readFileSync(file);
    log.info({ file, bytes: bytes.length }, 'GREETING loaded');
  } catch (err) {
    const level = config.greeting.file ? 'error' : 'info';
    log[level](
      { file, err: (err as Error).message },
      'GREETING file not available: TwiML will <Say> the greeting',
    );
  }
  return {
    available: () => bytes !== undefined,
    bytes: () => bytes,
    close: async () => undefined,
  };
}
