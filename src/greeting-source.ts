// The greeting MP3 behind /static/tts/greeting_he.mp3: a configured file, or the configured text
// rendered offline once into the data directory (in the background: start-up never waits on it).
// Until it exists, the TwiML speaks the greeting with <Say>.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { GreetingSource } from './server/static-routes.js';
import { ensureGreetingMp3 } from './audio/greeting.js';

export interface LoadedGreeting extends GreetingSource {
  /** Resolves once the greeting is loaded (or failed, logged); tests and the CLI may wait on it. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function loadGreeting(config: Config, log: Logger): LoadedGreeting {
  let bytes: Buffer | undefined;
  const started = Date.now();
  const ready = ensureGreetingMp3({
    text: config.greeting.text,
    dataDir: config.dataDir,
    file: config.greeting.file,
  })
    .then(async (file) => {
      bytes = await readFile(file);
      log.info({ file, bytes: bytes.length, ms: Date.now() - started }, 'GREETING_READY');
    })
    .catch((err: unknown) => {
      log.error({ err }, 'GREETING_UNAVAILABLE: TwiML will <Say> the greeting');
    });
  if (config.greeting.file) {
    void ready.then(() => {
      if (!bytes)
        log.error({ file: config.greeting.file }, 'GREETING_FILE_MISSING: GREETING_FILE does not exist');
    });
  }
  return {
    ready,
    available: () => bytes !== undefined,
    bytes: () => bytes,
    close: () => ready,
  };
}
