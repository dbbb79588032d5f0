// Offline text-to-speech (eSpeak NG, Hebrew by default): PCM for any use, μ-law 8 kHz for the phone
// line, and a file cache of rendered prompts keyed by everything that changes the audio.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EspeakEngine, espeakEngineVersion } from './espeak-engine.js';
import { AudioError, assertIntInRange } from './errors.js';
import { mulawEncode } from './mulaw.js';
import { resample } from './resample.js';

export interface TtsOptions {
  /** eSpeak voice name; default 'he' (Hebrew). */
  readonly voice?: string;
  /** Words per minute, 80–450; default 175. */
  readonly rate?: number;
  /** 0–99; default 50. */
  readonly pitch?: number;
}

export interface TtsAudio {
  readonly sampleRate: number;
  readonly pcm: Int16Array;
}

/** Longest text accepted in one request; prompts are sentences, not documents. */
export const MAX_TTS_CHARS = 5000;
/** Bump when the μ-law rendering pipeline changes (resampler, gain), to invalidate cached prompts. */
const RENDER_PIPELINE = 'mulaw8k-v1';
const VOICE_PATTERN = /^[a-z]{2,3}(?:[-/][a-z0-9]{1,8})*(?:\+[a-z0-9]{1,16})?$/i;

/** Created on first use: importing this module loads nothing and starts no thread. */
let engine: EspeakEngine | null = null;

interface Settings {
  voice: string;
  rate: number;
  pitch: number;
}

function settingsOf(options: TtsOptions): Settings {
  const voice = options.voice ?? 'he';
  if (typeof voice !== 'string' || !VOICE_PATTERN.test(voice)) {
    throw new AudioError('BAD_ARGUMENT', `voice "${String(voice)}" is not an eSpeak voice name`);
  }
  return {
    voice,
    rate: assertIntInRange('rate', options.rate ?? 175, 80, 450),
    pitch: assertIntInRange('pitch', options.pitch ?? 50, 0, 99),
  };
}

function checkText(text: unknown): string {
  if (typeof text !== 'string') throw new AudioError('BAD_ARGUMENT', 'text must be a string');
  if (text.length > MAX_TTS_CHARS) {
    throw new AudioError('BAD_ARGUMENT', `text is ${text.length} characters; the limit is ${MAX_TTS_CHARS}`);
  }
  return text;
}

/** eSpeak reads its input as SSML: escape markup so configured text is spoken as written. */
function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Speaks `text` with eSpeak NG. Calls may overlap; they are served one at a time off the main
 * thread. Empty or blank text yields no samples.
 */
export async function synthesize(text: string, options: TtsOptions = {}): Promise<TtsAudio> {
  const settings = settingsOf(options);
  checkText(text);
  if (text.trim() === '') return { sampleRate: 22050, pcm: new Int16Array(0) };
  engine ??= new EspeakEngine();
  return engine.synthesize({ text: escapeMarkup(text), ...settings });
}

/** Speaks `text` as μ-law at 8 kHz, ready to send as Twilio media payloads. */
export async function synthesizeMulaw8k(text: string, options: TtsOptions = {}): Promise<Uint8Array> {
  const { sampleRate, pcm } = await synthesize(text, options);
  return mulawEncode(resample(pcm, sampleRate, 8000));
}

/** Stops the TTS worker if it runs (for shutdown and tests); a later call starts it again. */
export async function closeTts(): Promise<void> {
  const current = engine;
  engine = null;
  await current?.close();
}

/** The cache key of a prompt: everything that can change its rendered bytes. */
export function promptCacheKey(text: string, options: TtsOptions = {}): string {
  const settings = settingsOf(options);
  checkText(text);
  const identity = JSON.stringify({
    text,
    ...settings,
    engine: espeakEngineVersion(),
    pipeline: RENDER_PIPELINE,
  });
  return createHash('sha256').update(identity).digest('hex');
}

/** Renders of the same prompt already in progress, so concurrent calls share one synthesis. */
const inFlight = new Map<string, Promise<Uint8Array>>();

/**
 * Returns the μ-law 8 kHz rendering of `text`, from `<cacheDir>/<key>.ulaw` if present, else
 * rendering it and storing it there (atomically, so a crash never leaves a partial prompt).
 */
export function renderPromptCached(
  text: string,
  cacheDir: string,
  options: TtsOptions = {},
): Promise<Uint8Array> {
  let path: string;
  try {
    path = join(cacheDir, `${promptCacheKey(text, options)}.ulaw`);
  } catch (err) {
    return Promise.reject(err);
  }
  let job = inFlight.get(path);
  if (!job) {
    job = loadOrRender(path, text, options).finally(() => inFlight.delete(path));
    inFlight.set(path, job);
  }
  return job;
}

async function loadOrRender(path: string, text: string, options: TtsOptions): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new AudioError('CACHE_FAILED', `cannot read cached prompt ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  const audio = await synthesizeMulaw8k(text, options);
  await writeAtomically(path, audio);
  return audio;
}

/** Writes through a temporary file and a rename, so readers see the old file or the whole new one. */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    // Answer clips are a caller's voice: private, like the recordings.
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    await writeFile(tmp, bytes, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    throw new AudioError('CACHE_FAILED', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}
