// GET /events: Server-Sent Events of call life (call started, status, stream started/stopped,
// timeline steps with Twilio error codes, transcript turns, lead saved, call ended), fed by
// every instance's CallEvents over the bus into the LiveFeed ring; Last-Event-ID (header or
// ?lastEventId=) replays, on whichever instance the client reconnects to.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CrmDeps } from './crm-deps.js';
import { LiveFeed } from './live-feed.js';
import { subscribeLiveEvents } from '../bus/live-events.js';
import { parseInput } from './validate.js';
import { routeSchema } from './openapi.js';

const eventsQuery = z.strictObject({ lastEventId: z.string().max(100).optional() });

export async function eventRoutes(scope: FastifyInstance, deps: CrmDeps): Promise<void> {
  const feed = new LiveFeed({ log: deps.log });
  const unsubscribe = subscribeLiveEvents(deps.bus, deps.log, (event, id) => feed.push(event, id));
  // Open streams would hold the server's close forever: end them first.
  scope.addHook('preClose', async () => feed.close());
  scope.addHook('onClose', async () => unsubscribe());

  // No HEAD twin: it would hold a stream open with nothing to send.
  scope.get(
    '/events',
    {
      exposeHeadRoute: false,
      schema: routeSchema({
        summary: 'Live call events (Server-Sent Events; Last-Event-ID replays)',
        tags: ['events'],
        query: eventsQuery,
        responses: { 200: 'text/event-stream' },
      }),
    },
    async (request, reply) => {
      const q = parseInput(eventsQuery, request.query ?? {}, 'query');
      const header = request.headers['last-event-id'];
      const lastEventId = (typeof header === 'string' ? header : undefined) ?? q.lastEventId;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx and friends would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n\n');
      const detach = feed.attach(res, lastEventId);
      res.on('close', detach);
      request.log.info({ clients: feed.size, replayFrom: lastEventId ?? null }, 'SSE_CONNECTED');
    },
  );
}
