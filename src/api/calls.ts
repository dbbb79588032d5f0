// GET /calls (filtered, newest first, opaque cursor over (started_at, call_sid)) and
// GET /calls/:callSid (everything known about one call, transfers picked from its timeline).
import type { FastifyInstance } from 'fastify';
import type { CallEvent } from '../store/store.js';
import { maySeeCall, scopedCallFilter, type CrmDeps } from './crm-deps.js';
import { callCursor, callFilterOf, callQuery, callSidParam } from './query-schemas.js';
import { parseInput } from './validate.js';
import {
  callView,
  callViewSchema,
  contactView,
  contactViewSchema,
  eventView,
  eventViewSchema,
  leadView,
  leadViewSchema,
  pageOf,
  recordingView,
  recordingViewSchema,
  streamView,
  streamViewSchema,
  transcriptView,
  transcriptViewSchema,
} from './crm-views.js';
import { z } from 'zod';

const callDetail = z.object({
  call: callViewSchema,
  contact: contactViewSchema.nullable(),
  events: z.array(eventViewSchema).describe('the timeline, oldest first'),
  streams: z.array(streamViewSchema),
  transcript: z.array(transcriptViewSchema),
  recordings: z.array(recordingViewSchema),
  lead: leadViewSchema.nullable(),
  summary: z.string().nullable(),
  transfers: z.array(eventViewSchema).describe('the transfer steps of the timeline'),
});
import { routeSchema } from './openapi.js';

/** Transfer steps are the timeline's `transfer` events and the agent's own (`agent`, `agent-*`). */
function isTransferStep(e: CallEvent): boolean {
  return e.kind === 'transfer' || e.kind === 'agent' || e.kind.startsWith('agent-');
}

export async function callRoutes(scope: FastifyInstance, deps: CrmDeps): Promise<void> {
  const { store } = deps;
  const query = callQuery(deps.config.timezone);

  scope.get(
    '/calls',
    {
      schema: routeSchema({
        summary: 'Calls, newest first, filtered',
        tags: ['calls'],
        query,
        responses: { 200: pageOf(callViewSchema) },
      }),
    },
    async (request) => {
      const q = parseInput(query, request.query ?? {}, 'query');
      const filter = scopedCallFilter(callFilterOf(q), deps.principal(request));
      const after = q.cursor ? { startedAt: new Date(q.cursor.t), callSid: q.cursor.s } : undefined;
      const page = await store.listCrmCalls(filter, { limit: q.limit, ...(after ? { after } : {}) });
      return {
        items: page.items.map(callView),
        nextCursor: page.next
          ? callCursor.encode({ t: page.next.startedAt.getTime(), s: page.next.callSid })
          : null,
      };
    },
  );

  scope.get(
    '/calls/:callSid',
    {
      schema: routeSchema({
        summary: 'Everything known about one call',
        tags: ['calls'],
        params: callSidParam,
        responses: { 200: callDetail },
        errors: { 404: 'no such call (or not yours)' },
      }),
    },
    async (request, reply) => {
      const p = parseInput(callSidParam, request.params ?? {}, 'params');
      const call = await store.getCrmCall(p.callSid);
      // Someone else's call is answered like a missing one: its existence is not theirs to learn.
      if (!call || !maySeeCall(deps.principal(request), call)) {
        return reply.code(404).send({ error: 'NOT_FOUND', message: `no call ${p.callSid}` });
      }
      const [contact, events, streams, transcript, recordings, lead] = await Promise.all([
        call.contactId === null ? undefined : store.getCrmContact(call.contactId),
        store.listCallEvents(call.callSid),
        store.listStreams(call.callSid),
        store.listTranscript(call.callSid),
        store.listRecordings(call.callSid),
        call.leadId === null ? undefined : store.getCrmLead(call.leadId),
      ]);
      return {
        call: callView(call),
        contact: contact ? contactView(contact) : null,
        events: events.map(eventView),
        streams: streams.map(streamView),
        transcript: transcript.map(transcriptView),
        recordings: recordings.map(recordingView),
        lead: lead ? leadView(lead) : null,
        summary: call.summary,
        transfers: events.filter(isTransferStep).map(eventView),
      };
    },
  );
}
