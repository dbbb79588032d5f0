// The greeting MP3 Twilio <Play>s before the stream connects: GET, HEAD and byte ranges.
import type { FastifyInstance } from 'fastify';
import { sendError } from './error-reply.js';

export const GREETING_PATH = '/static/tts/greeting_he.mp3';

/** Where the greeting bytes come from; they may appear after start-up (rendered in the background). */
export interface GreetingSource {
  available(): boolean;
  bytes(): Buffer | undefined;
}

export function fixedGreeting(bytes: Buffer | undefined): GreetingSource {
  return { available: () => bytes !== undefined, bytes: () => bytes };
}

/** Parses a single `bytes=a-b` range; undefined = unsatisfiable, null = no/ignored range. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | undefined {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // multi-range or garbage: serve the whole file
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return undefined;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return undefined;
  return { start, end };
}

export async function staticRoutes(app: FastifyInstance, greeting: GreetingSource): Promise<void> {
  app.get(GREETING_PATH, async (request, reply) => {
    const bytes = greeting.bytes();
    if (!bytes) return sendError(reply, 'NOT_FOUND', 'the greeting is not rendered yet');
    reply.header('accept-ranges', 'bytes').header('cache-control', 'public, max-age=300').type('audio/mpeg');
    const range = parseRange(request.headers.range, bytes.length);
    if (range === undefined) {
      return reply.code(416).header('content-range', `bytes */${bytes.length}`).send();
    }
    if (range === null) return reply.code(200).send(bytes);
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${bytes.length}`)
      .send(bytes.subarray(range.start, range.end + 1));
  });
}
