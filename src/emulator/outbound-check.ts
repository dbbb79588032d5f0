// Judges one frame our server sent on a bidirectional stream as Twilio does: binary → 31950;
// non-JSON, unknown event, missing/extra field or another stream's streamSid → 31951; a media
// payload that is not base64 or carries file-header bytes (RIFF/WAVE, ID3) → 31924. Pure.
import { isBase64 } from '../base64.js';
import { parseOutbound, type OutboundMessage } from '../twilio/stream-messages.js';

export type OutboundVerdict =
  | { ok: true; message: OutboundMessage; audio?: Buffer }
  | { ok: false; code: 31924 | 31950 | 31951; reason: string };

function headerIn(bytes: Buffer): string | undefined {
  const start = bytes.subarray(0, 4).toString('latin1');
  if (start === 'RIFF' || start === 'RIFX' || start === 'RF64') return `a ${start} (WAV) file header`;
  if (start.startsWith('ID3')) return 'an ID3 (MP3) tag';
  if (bytes.subarray(0, 64).includes('WAVEfmt ', 0, 'latin1')) return 'a WAVE fmt header';
  return undefined;
}

export function judgeOutbound(data: string | Buffer, isBinary: boolean, streamSid: string): OutboundVerdict {
  if (isBinary) {
    return {
      ok: false,
      code: 31950,
      reason: `binary frame (${data.length} bytes); Twilio only reads JSON text`,
    };
  }
  const text = typeof data === 'string' ? data : data.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 31951, reason: `frame is not JSON: ${JSON.stringify(text.slice(0, 60))}` };
  }
  const media = (value as { event?: unknown; media?: { payload?: unknown } } | null) ?? {};
  let audio: Buffer | undefined;
  if (media.event === 'media' && typeof media.media?.payload === 'string') {
    const payload = media.media.payload;
    if (!isBase64(payload)) {
      return { ok: false, code: 31924, reason: 'media payload is not valid base64' };
    }
    audio = Buffer.from(payload, 'base64');
    const header = headerIn(audio);
    if (header) {
      return {
        ok: false,
        code: 31924,
        reason: `media payload starts with ${header}; send raw μ-law/8000 without file headers`,
      };
    }
  }
  const parsed = parseOutbound(text);
  if (!parsed.ok) return { ok: false, code: 31951, reason: parsed.reason };
  if (parsed.message.streamSid !== streamSid) {
    return {
      ok: false,
      code: 31951,
      reason: `${parsed.message.event} has streamSid ${JSON.stringify(parsed.message.streamSid)}, this stream is ${streamSid}`,
    };
  }
  return { ok: true, message: parsed.message, audio };
}
