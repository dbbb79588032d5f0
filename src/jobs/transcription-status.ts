// What the settings and health views say about transcription and analysis: on or off, and which
// host the audio and the transcripts go to; never a key.
import type { Config } from '../config.js';

export interface TranscriptionStatus {
  /** False: TRANSCRIBE_URL is unset and no audio is sent anywhere. */
  transcription: boolean;
  /** False: LLM_URL (or transcription) is unset and no call is analysed. */
  analysis: boolean;
  /** Where audio and transcripts go: the host only (the URL may carry a deployment name). */
  transcribeHost: string | null;
  llmHost: string | null;
  model: string | null;
  language: string | null;
  deleteTwilioRecordings: boolean;
}

/** For the settings and health views: on or off, and to which host; never a key. */
export function transcriptionStatus(
  config: Pick<Config, 'transcription' | 'llm' | 'deleteTwilioRecordings'>,
): TranscriptionStatus {
  const t = config.transcription;
  return {
    transcription: t !== undefined,
    analysis: t !== undefined && config.llm !== undefined,
    transcribeHost: t ? new URL(t.url).host : null,
    llmHost: config.llm ? new URL(config.llm.url).host : null,
    model: t?.model ?? null,
    language: t?.language ?? null,
    deleteTwilioRecordings: config.deleteTwilioRecordings,
  };
}
