// GET /contacts (newest first, by text or tag), GET /contacts/:id (with call history and
// leads) and PATCH /contacts/:id (name, notes, tags).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { scopedCallFilter, type CrmDeps } from './crm-deps.js';
import { idParam, pageLimit, searchText } from './query-schemas.js';
import { cursorCodec, parseInput } from './validate.js';
import {
  callView,
  callViewSchema,
  contactView,
  contactViewSchema,
  leadView,
  leadViewSchema,
  pageOf,
} from './crm-views.js';
import { routeSchema } from './openapi.js';

const HISTORY_LIMIT = 50;

const contactDetail = z.object({
  contact: contactViewSchema,
  calls: z.array(callViewSchema).describe(`the latest calls, at most ${HISTORY_LIMIT}`),
  leads: z.array(leadViewSchema),
});

const tag = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(40)
  .regex(/^[^\p{Cc}]+$/u, { message: 'must not contain control characters' });

const contactCursor = cursorCodec(z.object({ id: z.number().int().positive() }));

const contactQuery = z.strictObject({
  q: searchText.optional(),
  tag: tag.optional(),
  limit: pageLimit,
  cursor: contactCursor.schema.optional(),
});

const nothingToChange = (body: object) => Object.keys(body).length > 0;

const contactPatch = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1, { message: 'must not be empty (send null to clear it)' })
      .max(200)
      .nullable()
      .optional(),
    notes: z.string().max(10_000).nullable().optional(),
    tags: z
      .array(tag)
      .max(50)
      .transform((tags) => [...new Set(tags)])
      .optional(),
  })
  .refine(nothingToChange, { message: 'nothing to change: send name, notes or tags' });

export async function contactRoutes(scope: FastifyInstance, deps: CrmDeps): Promise<void> {
  const { store } = deps;
  const notFound = (id: number) => ({ error: 'NOT_FOUND', message: `no contact ${id}` });

  scope.get(
    '/contacts',
    {
      schema: routeSchema({
        summary: 'Contacts, newest first',
        tags: ['contacts'],
        query: contactQuery,
        responses: { 200: pageOf(contactViewSchema) },
      }),
    },
    async (request) => {
      const q = parseInput(contactQuery, request.query ?? {}, 'query');
      const page = await store.listContacts(
        { ...(q.q ? { text: q.q } : {}), ...(q.tag ? { tag: q.tag } : {}) },
        { limit: q.limit, ...(q.cursor ? { after: q.cursor.id } : {}) },
      );
      return {
        items: page.items.map(contactView),
        nextCursor: page.next === null ? null : contactCursor.encode({ id: page.next }),
      };
    },
  );

  scope.get(
    '/contacts/:id',
    {
      schema: routeSchema({
        summary: 'A contact with its calls and leads',
        tags: ['contacts'],
        params: idParam,
        responses: { 200: contactDetail },
        errors: { 404: 'no such contact' },
      }),
    },
    async (request, reply) => {
      const p = parseInput(idParam, request.params ?? {}, 'params');
      const contact = await store.getCrmContact(p.id);
      if (!contact) return reply.code(404).send(notFound(p.id));
      const [calls, leads] = await Promise.all([
        store.listCrmCalls(scopedCallFilter({ contactId: p.id }, deps.principal(request)), {
          limit: HISTORY_LIMIT,
        }),
        store.listLeads({ contactId: p.id }, { limit: HISTORY_LIMIT }),
      ]);
      return {
        contact: contactView(contact),
        calls: calls.items.map(callView),
        leads: leads.items.map(leadView),
      };
    },
  );

  scope.patch(
    '/contacts/:id',
    {
      schema: routeSchema({
        summary: 'Edit a contact (name, notes, tags)',
        tags: ['contacts'],
        params: idParam,
        body: contactPatch,
        responses: { 200: contactViewSchema },
        errors: { 404: 'no such contact' },
      }),
    },
    async (request, reply) => {
      const p = parseInput(idParam, request.params ?? {}, 'params');
      const patch = parseInput(contactPatch, request.body ?? {}, 'body');
      const contact = await store.patchContact(p.id, patch);
      if (!contact) return reply.code(404).send(notFound(p.id));
      request.log.info({ contactId: p.id, fields: Object.keys(patch) }, 'CONTACT_UPDATED');
      return contactView(contact);
    },
  );
}
