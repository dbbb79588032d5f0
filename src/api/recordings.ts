// GET /recordings/:id/audio: a recording's audio for the browser's player, with byte ranges
// (200 whole, 206 partial, 416 outside the file) and the audio's own Content-Type.
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseByteRange } from './byte-range.js';
import { maySeeCall, type CrmDeps } from './crm-deps.js';
import { AudioUnavailable, type AudioFile } from '../recordings/recording-audio.js';
import { parseInput } from './validate.js';
import { routeSchema } from './openapi.js';

const recordingParam = z.object({
  id: z.string().regex(/^(RE|LC)[0-9a-fA-F]{32}$/, { message: 'must be a recording sid (RE… or LC…)' }),
});

export async function recordingRoutes(scope: FastifyInstance, deps: CrmDeps): Promise<void> {
  scope.get(
    '/recordings/:id/audio',
    {
      schema: routeSchema({
        summary: "A recording's audio (Range requests: 206)",
        tags: ['calls'],
        params: recordingParam,
        responses: { 200: 'audio/wav', 206: 'audio/wav' },
        errors: {
          404: 'no such recording (or not yours)',
          416: 'the range is outside the audio',
          502: 'Twilio would not give the voicemail, or the recordings store did not answer',
        },
      }),
    },
    async (request, reply) => {
      const p = parseInput(recordingParam, request.params ?? {}, 'params');
      const notFound = () => reply.code(404).send({ error: 'NOT_FOUND', message: `no recording ${p.id}` });
      const recording = await deps.store.getRecording(p.id);
      if (!recording) return notFound();
      const call = await deps.store.getCrmCall(recording.callSid);
      if (!maySeeCall(deps.principal(request), call ?? { agentId: null })) return notFound();

      let audio: AudioFile;
      try {
        audio = await deps.recordings.open(recording);
      } catch (err) {
        if (err instanceof AudioUnavailable)
          return reply.code(err.status).send({ error: err.code, message: err.message });
        throw err;
      }
      reply
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff');
      const range = parseByteRange(request.headers.range, audio.size);
      if (range === undefined) return reply.code(416).header('content-range', `bytes */${audio.size}`).send();
      reply.type(audio.contentType);
      let body: Readable;
      try {
        body = await audio.read(range ?? undefined);
      } catch (err) {
        if (err instanceof AudioUnavailable)
          return reply.code(err.status).send({ error: err.code, message: err.message });
        throw err;
      }
      if (range === null) return reply.code(200).header('content-length', audio.size).send(body);
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${audio.size}`)
        .header('content-length', range.end - range.start + 1)
        .send(body);
    },
  );
}
