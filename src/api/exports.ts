// GET /calls.csv and GET /leads.csv: the same filters as the JSON lists, as spreadsheets (UTF-8
// with BOM, times in the configured zone). Calls stream page by page; leads are read whole
// first, because each lead field becomes a column.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CallCursor, CrmLead, LeadCursor } from '../store/crm-store.js';
import { scopedCallFilter, type CrmDeps } from './crm-deps.js';
import { CSV_BOM, csvLine } from './csv.js';
import { callExportQuery, callFilterOf, leadExportQuery, leadFilterOf } from './query-schemas.js';
import { parseInput } from './validate.js';
import { localDate, localDateTime } from './zoned-time.js';
import { routeSchema } from './openapi.js';

const BATCH = 200;

const CALL_COLUMNS = [
  'Call SID',
  'Started',
  'Ended',
  'Direction',
  'From',
  'To',
  'Status',
  'Outcome',
  'Outcome detail',
  'Duration (s)',
  'Contact',
  'Agent',
  'Test',
  'Lead status',
  'Summary',
];

const LEAD_COLUMNS = [
  'Lead ID',
  'Created',
  'Updated',
  'Status',
  'Assignee',
  'Contact',
  'Phone',
  'Call SID',
  'Notes',
];

function sendCsv(reply: FastifyReply, name: string, zone: string, body: Readable | string) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${localDate(Date.now(), zone)}.csv"`)
    .header('cache-control', 'no-store')
    .send(body);
}

/** A lead field as one cell: text as it is, anything else as JSON. */
const fieldCell = (value: unknown) =>
  value === undefined || typeof value === 'string' ? value : JSON.stringify(value);

export async function exportRoutes(scope: FastifyInstance, deps: CrmDeps): Promise<void> {
  const zone = deps.config.timezone;
  const time = (d: Date | null) => (d === null ? null : localDateTime(d.getTime(), zone));
  const callQuery = callExportQuery(zone);
  const leadQuery = leadExportQuery(zone);

  scope.get(
    '/calls.csv',
    {
      schema: routeSchema({
        summary: 'Calls as CSV (UTF-8 with BOM, for Excel)',
        tags: ['calls'],
        query: callQuery,
        responses: { 200: 'text/csv' },
      }),
    },
    async (request, reply) => {
      const q = parseInput(callQuery, request.query ?? {}, 'query');
      const filter = scopedCallFilter(callFilterOf(q), deps.principal(request));
      const { store } = deps;
      async function* rows() {
        yield CSV_BOM + csvLine(CALL_COLUMNS);
        let after: CallCursor | undefined;
        do {
          const page = await store.listCrmCalls(filter, { limit: BATCH, ...(after ? { after } : {}) });
          yield page.items
            .map((c) =>
              csvLine([
                c.callSid,
                time(c.startedAt),
                time(c.endedAt),
                c.direction,
                c.fromNumber,
                c.toNumber,
                c.status,
                c.result,
                c.outcome,
                c.durationSec,
                c.contactName,
                c.agentId,
                c.isTest ? 'yes' : 'no',
                c.leadStatus,
                c.summary,
              ]),
            )
            .join('');
          after = page.next ?? undefined;
        } while (after);
      }
      return sendCsv(reply, 'calls', zone, Readable.from(rows()));
    },
  );

  scope.get(
    '/leads.csv',
    {
      schema: routeSchema({
        summary: 'Leads as CSV (UTF-8 with BOM, for Excel)',
        tags: ['leads'],
        query: leadQuery,
        responses: { 200: 'text/csv' },
      }),
    },
    async (request, reply) => {
      const q = parseInput(leadQuery, request.query ?? {}, 'query');
      const leads: CrmLead[] = [];
      let after: LeadCursor | undefined;
      do {
        const page = await deps.store.listLeads(leadFilterOf(q), {
          limit: BATCH,
          ...(after ? { after } : {}),
        });
        leads.push(...page.items);
        after = page.next ?? undefined;
      } while (after);
      // Every field any lead has, in the order they first appear.
      const fields = [...new Set(leads.flatMap((l) => Object.keys(l.fields)))];
      const lines = leads.map((l) =>
        csvLine([
          l.id,
          time(l.createdAt),
          time(l.updatedAt),
          l.status,
          l.assignee,
          l.contactName,
          l.contactPhone,
          l.callSid,
          l.notes,
          ...fields.map((f) => fieldCell(l.fields[f])),
        ]),
      );
      return sendCsv(reply, 'leads', zone, CSV_BOM + csvLine([...LEAD_COLUMNS, ...fields]) + lines.join(''));
    },
  );
}
