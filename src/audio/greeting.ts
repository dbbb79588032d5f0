// The greeting MP3 Twilio plays before the media stream connects: an operator's file if configured,
// otherwise the configured text rendered offline once and kept under <dataDir>/tts.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { espeakEngineVersion } from './espeak-engine.js';
import { AudioError } from './errors.js';
import { encodeMp3 } from './mp3.js';
import { synthesize, writeAtomically } from './tts.js';

export interface GreetingOptions {
  /** What to say when no file is configured. */
  readonly text: string;
  /** The server's data directory; the rendering goes to `<dataDir>/tts/greeting_he.mp3`. */
  readonly dataDir: string;
  /** An operator-supplied MP3, used as is when it exists. */
  readonly file?: string | undefined;
  /** eSpeak voice; default 'he'. */
  readonly voice?: string;
}

const GREETING_FILE = 'greeting_he.mp3';
/** Speech needs no more; 22050 Hz is eSpeak's own rate, so nothing is resampled. */
const MP3_KBPS = 48;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Returns the path of the greeting MP3. A configured `file` that exists wins; otherwise the text is
 * rendered once, and re-rendered only when the text, voice or engine changes (tracked in a JSON
 * sidecar next to the MP3).
 */
export async function ensureGreetingMp3(options: GreetingOptions): Promise<string> {
  if (options.file && (await isFile(options.file))) return resolve(options.file);
  const { text, dataDir } = options;
  const voice = options.voice ?? 'he';
  if (typeof text !== 'string' || text.trim() === '') {
    throw new AudioError('BAD_ARGUMENT', 'the greeting text is empty and no greeting file exists');
  }
  const target = resolve(join(dataDir, 'tts', GREETING_FILE));
  const sidecar = `${target}.json`;
  const identity = {
    textSha256: createHash('sha256').update(text).digest('hex'),
    voice,
    engine: espeakEngineVersion(),
    kbps: MP3_KBPS,
  };
  const wanted = JSON.stringify(identity);
  if ((await readSidecar(sidecar)) === wanted && (await isFile(target))) return target;

  const { sampleRate, pcm } = await synthesize(text, { voice });
  const mp3 = encodeMp3(pcm, sampleRate, { kbps: MP3_KBPS });
  // MP3 first, sidecar second: a crash in between only causes one more rendering.
  await writeAtomically(target, mp3);
  await writeAtomically(sidecar, new TextEncoder().encode(wanted));
  return target;
}

async function readSidecar(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}
