// How long a fetched <Play> file lasts, so the emulated call spends that long on it: WAV from its
// header, MP3 from its first frame's bitrate (CBR assumption), anything else at a nominal 64 kbit/s.
import { readWav } from '../audio/wav.js';

const MP3_BITRATES_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_BITRATES_V2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

function id3Length(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0;
  // Syncsafe size: 4 × 7 bits, plus the 10-byte header.
  return 10 + ((bytes[6]! << 21) | (bytes[7]! << 14) | (bytes[8]! << 7) | bytes[9]!);
}

function mp3Kbps(bytes: Uint8Array): number | undefined {
  for (let i = id3Length(bytes); i + 4 <= bytes.length && i < 64 * 1024; i++) {
    if (bytes[i] !== 0xff || (bytes[i + 1]! & 0xe0) !== 0xe0) continue;
    const version = (bytes[i + 1]! >> 3) & 0x3; // 3 = MPEG1, 2 = MPEG2, 0 = MPEG2.5
    const layer = (bytes[i + 1]! >> 1) & 0x3; // 1 = layer III
    const index = bytes[i + 2]! >> 4;
    if (layer !== 1 || version === 1 || index === 0 || index === 15) continue;
    return (version === 3 ? MP3_BITRATES_V1_L3 : MP3_BITRATES_V2_L3)[index];
  }
  return undefined;
}

export function audioDurationMs(bytes: Uint8Array, contentType: string): number {
  if (/wav/i.test(contentType) || Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF') {
    try {
      const wav = readWav(bytes);
      return (wav.frames / wav.sampleRate) * 1000;
    } catch {
      // Not a WAV after all: fall through to the nominal rate.
    }
  }
  const kbps = /mpeg|mp3/i.test(contentType) ? mp3Kbps(bytes) : undefined;
  return (bytes.length * 8) / (kbps ?? 64);
}
