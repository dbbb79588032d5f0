// Runs eSpeak NG (the Emscripten build in @echogarden/espeak-ng-emscripten) in one worker thread,
// started on first use, so synthesis never stalls the event loop that relays live calls.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AudioError } from './errors.js';

export interface EspeakRequest {
  readonly text: string;
  readonly voice: string;
  /** Words per minute, 80–450. */
  readonly rate: number;
  /** 0–99. */
  readonly pitch: number;
}

export interface EspeakResult {
  readonly sampleRate: number;
  readonly pcm: Int16Array;
}

type Reply =
  | { id: number; ok: true; sampleRate: number; pcm: Int16Array }
  | { id: number; ok: false; code: 'TTS_FAILED' | 'TTS_UNKNOWN_VOICE'; message: string };

const PACKAGE = '@echogarden/espeak-ng-emscripten';

// The worker is plain JavaScript evaluated from this string because a .ts worker file would not
// run under node without a loader. It loads the engine once and then answers requests in order:
// synthesis is synchronous, so requests queued behind the load run one at a time, never re-entered.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let engine;
function load() {
  engine ??= import(workerData.moduleUrl).then(async (m) => {
    const mod = await m.default({ print() {}, printErr() {} });
    return new mod.eSpeakNGWorker();
  });
  return engine;
}
parentPort.on('message', async (req) => {
  try {
    const tts = await load();
    if (tts.set_voice(req.voice) !== 0) {
      parentPort.postMessage({ id: req.id, ok: false, code: 'TTS_UNKNOWN_VOICE', message: 'eSpeak has no voice "' + req.voice + '"' });
      return;
    }
    tts.rate = req.rate;
    tts.pitch = req.pitch;
    const parts = [];
    let total = 0;
    tts.synthesize(req.text, (samples) => {
      if (samples && samples.length > 0) { parts.push(samples); total += samples.length; }
      return false;
    });
    const pcm = new Int16Array(total);
    let at = 0;
    for (const p of parts) { pcm.set(p, at); at += p.length; }
    parentPort.postMessage({ id: req.id, ok: true, sampleRate: tts.samplerate, pcm }, [pcm.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: req.id, ok: false, code: 'TTS_FAILED', message: String(err && err.message || err) });
  }
});
`;

interface Pending {
  resolve(result: EspeakResult): void;
  reject(err: AudioError): void;
}

/** One eSpeak worker and the requests waiting on it. */
export class EspeakEngine {
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  synthesize(request: EspeakRequest): Promise<EspeakResult> {
    return new Promise<EspeakResult>((resolve, reject) => {
      let worker: Worker;
      try {
        worker = this.#ensureWorker();
      } catch (err) {
        reject(
          new AudioError('TTS_FAILED', `cannot start the eSpeak worker: ${String(err)}`, { cause: err }),
        );
        return;
      }
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      // Hold the process open only while there is work; an idle engine must not block exit.
      worker.ref();
      worker.postMessage({ id, ...request });
    });
  }

  /** Stops the worker; requests still waiting fail with TTS_FAILED. The next request starts a new one. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    this.#failAll('the TTS engine was closed');
    if (worker) await worker.terminate();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const moduleUrl = pathToFileURL(createRequire(import.meta.url).resolve(PACKAGE)).href;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { moduleUrl } });
    worker.unref();
    worker.on('message', (reply: Reply) => this.#onReply(reply));
    worker.on('error', (err) => this.#onDeath(worker, `eSpeak worker failed: ${err.message}`));
    worker.on('exit', (code) => this.#onDeath(worker, `eSpeak worker exited with code ${code}`));
    this.#worker = worker;
    return worker;
  }

  #onReply(reply: Reply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker?.unref();
    if (reply.ok) pending.resolve({ sampleRate: reply.sampleRate, pcm: reply.pcm });
    else pending.reject(new AudioError(reply.code, reply.message));
  }

  #onDeath(worker: Worker, message: string): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    this.#failAll(message);
  }

  #failAll(message: string): void {
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of waiting) p.reject(new AudioError('TTS_FAILED', message));
  }
}

/** The engine package and version, for cache keys: a new engine may render the same text differently. */
export function espeakEngineVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = require(`${PACKAGE}/package.json`) as { version?: unknown };
  return `${PACKAGE}@${String(pkg.version)}`;
}
