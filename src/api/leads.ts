// GET /leads (newest first, by status, assignee, contact, text, time), GET /leads/:id (with its
// call) and PATCH /leads/:id: status new → contacted → qualified → won | lost, assignee, notes.
// Any status may follow any other, so a mistaken move on the board can be undone.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LEAD_STATUSES } from '../store/crm-store.js';
import { maySeeCall, type CrmDeps } from './crm-deps.js';
import { idParam, leadCursor, leadFilterOf, leadQuery, principalId } from './query-schemas.js';
import { parseInput } from './validate.js';
import { callView, callViewSchema, leadView, leadViewSchema, pageOf } from './crm-views.js';
import { routeSchema } from './openapi.js';

const leadPatch = z
  .strictObject({
    status: z.enum(LEAD_STATUSES).optional(),
    assignee: principalId.nullable().optional(),
    notes: z.string().max(10_000).nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, {
    message: 'nothing to change: send status, assignee or notes',
  });

export async function leadRoutes(scope: FastifyInstance, deps: CrmDeps): Promise<void> {
  const { store } = deps;
  const query = leadQuery(deps.config.timezone);
  const notFound = (id: number) => ({ error: 'NOT_FOUND', message: `no lead ${id}` });

  scope.get(
    '/leads',
    {
      schema: routeSchema({
        summary: 'Leads, newest first, filtered',
        tags: ['leads'],
        query,
        responses: { 200: pageOf(leadViewSchema) },
      }),
    },
    async (request) => {
      const q = parseInput(query, request.query ?? {}, 'query');
      const after = q.cursor ? { createdAt: new Date(q.cursor.t), id: q.cursor.id } : undefined;
      const page = await store.listLeads(leadFilterOf(q), { limit: q.limit, ...(after ? { after } : {}) });
      return {
        items: page.items.map(leadView),
        nextCursor: page.next
          ? leadCursor.encode({ t: page.next.createdAt.getTime(), id: page.next.id })
          : null,
      };
    },
  );

  scope.get(
    '/leads/:id',
    {
      schema: routeSchema({
        summary: 'A lead with its call',
        tags: ['leads'],
        params: idParam,
        responses: { 200: z.object({ lead: leadViewSchema, call: callViewSchema.nullable() }) },
        errors: { 404: 'no such lead' },
      }),
    },
    async (request, reply) => {
      const p = parseInput(idParam, request.params ?? {}, 'params');
      const lead = await store.getCrmLead(p.id);
      if (!lead) return reply.code(404).send(notFound(p.id));
      const call = await store.getCrmCall(lead.callSid);
      const visible = call && maySeeCall(deps.principal(request), call);
      return { lead: leadView(lead), call: visible ? callView(call) : null };
    },
  );

  scope.patch(
    '/leads/:id',
    {
      schema: routeSchema({
        summary: 'Move a lead (status, assignee, notes)',
        tags: ['leads'],
        params: idParam,
        body: leadPatch,
        responses: { 200: leadViewSchema },
        errors: { 404: 'no such lead' },
      }),
    },
    async (request, reply) => {
      const p = parseInput(idParam, request.params ?? {}, 'params');
      const patch = parseInput(leadPatch, request.body ?? {}, 'body');
      const lead = await store.patchLead(p.id, patch, new Date());
      if (!lead) return reply.code(404).send(notFound(p.id));
      request.log.info({ leadId: p.id, status: lead.status, fields: Object.keys(patch) }, 'LEAD_UPDATED');
      return leadView(lead);
    },
  );
}
