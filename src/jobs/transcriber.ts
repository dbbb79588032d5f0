// Speech-to-text through the OpenAI-compatible API: POST {url}/audio/transcriptions, multipart
// with the file, model, language and response format. OpenAI (whisper-1, gpt-4o-transcribe),
// Azure OpenAI and self-hosted servers (speaches/faster-whisper, whisper.cpp's server, vLLM) speak
// it, so pointing TRANSCRIBE_URL at one's own machine keeps the audio there.
import type { TranscriptionConfig } from '../config.js';
import { JobFailure, httpFailure, networkFailure } from './job-failure.js';

export interface AudioInput {
  data: Buffer;
  /** A name with the right extension: servers pick the decoder by it. */
  filename: string;
  contentType: string;
}

export interface Transcript {
  text: string;
  /** Seconds of audio, when the server says (verbose_json). */
  durationSec?: number;
  language?: string;
}

export interface Transcriber {
  transcribe(audio: AudioInput, signal: AbortSignal): Promise<Transcript>;
}

/**
 * verbose_json gives the duration and language; OpenAI's gpt-4o transcription models only offer
 * json (and text), so they are asked for json.
 */
export function responseFormatFor(model: string): 'verbose_json' | 'json' {
  return /^gpt-4o/i.test(model) ? 'json' : 'verbose_json';
}

export class OpenAiTranscriber implements Transcriber {
  private readonly endpoint: string;

  constructor(private readonly config: Pick<TranscriptionConfig, 'url' | 'apiKey' | 'model' | 'language'>) {
    this.endpoint = `${config.url}/audio/transcriptions`;
  }

  async transcribe(audio: AudioInput, signal: AbortSignal): Promise<Transcript> {
    const format = responseFormatFor(this.config.model);
    const form = new FormData();
    form.set('file', new Blob([audio.data], { type: audio.contentType }), audio.filename);
    form.set('model', this.config.model);
    form.set('language', this.config.language);
    form.set('response_format', format);
    form.set('temperature', '0');
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {},
        body: form,
        redirect: 'error',
        signal,
      });
    } catch (err) {
      if (signal.aborted && (signal.reason as Error)?.name !== 'TimeoutError') throw err;
      throw networkFailure('the transcription server', err);
    }
    if (!response.ok) throw await httpFailure('the transcription server', response);
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new JobFailure('the transcription server answered something other than JSON', true);
    }
    const { text, duration, language } = (body ?? {}) as Record<string, unknown>;
    if (typeof text !== 'string')
      throw new JobFailure('the transcription server answered without a text', true);
    return {
      text: text.trim(),
      ...(typeof duration === 'number' ? { durationSec: duration } : {}),
      ...(typeof language === 'string' ? { language } : {}),
    };
  }
}
