// The call command's audio files: any WAV in (μ-law/A-law/PCM16, any rate, mono or stereo →
// μ-law 8 kHz, through the emulator's converter), and what the caller heard out as a PCM16 WAV.
import { readFile, writeFile } from 'node:fs/promises';
import { wavToMulaw8k } from '../../emulator/index.js';
import { mulawDecode } from '../../audio/mulaw.js';
import { writeWav } from '../../audio/wav.js';
import { UsageError } from '../target.js';

export async function readCallerWav(file: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new UsageError(
      `--audio ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  try {
    return wavToMulaw8k(bytes);
  } catch (err) {
    throw new UsageError(`--audio ${file}: ${(err as Error).message}`);
  }
}

/** Writes μ-law 8 kHz as a 16-bit PCM WAV (plays everywhere). */
export async function writeHeardWav(file: string, mulaw: Uint8Array): Promise<void> {
  await writeFile(file, writeWav({ encoding: 'pcm16', sampleRate: 8000, samples: mulawDecode(mulaw) }));
}
