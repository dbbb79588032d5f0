// GET /stats?from&to: per local day (TIMEZONE, Asia/Jerusalem by default) how many calls were
// answered by the agent, transferred, left a voicemail or were abandoned, leads captured, the
// median completed call and stream errors by Twilio code. Default: the last 30 days.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DayCounts } from '../store/crm-store.js';
import type { CrmDeps } from './crm-deps.js';
import { timeBound } from './query-schemas.js';
import { parseInput } from './validate.js';
import { addDays, dateOfDayIndex, localDate, offsetSegments, startOfLocalDay } from './zoned-time.js';
import { routeSchema } from './openapi.js';

const DAY_MS = 86_400_000;
const MAX_DAYS = 400;
const DEFAULT_DAYS = 30;

type Counts = Omit<DayCounts, 'day'>;
const counts = {
  calls: z.number().int(),
  live: z.number().int(),
  answered: z.number().int().describe('answered by the agent'),
  transferred: z.number().int(),
  voicemail: z.number().int(),
  abandoned: z.number().int(),
  leads: z.number().int(),
};
const statsAnswer = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  timezone: z.string(),
  days: z.array(z.object({ date: z.string().describe('local date, YYYY-MM-DD'), ...counts })),
  totals: z.object(counts),
  medianDurationSec: z.number().nullable(),
  streamErrors: z.array(
    z.object({ code: z.number().int().nullable().describe('Twilio error code'), count: z.number().int() }),
  ),
});
const ZERO: Counts = { calls: 0, live: 0, answered: 0, transferred: 0, voicemail: 0, abandoned: 0, leads: 0 };

export async function statsRoutes(scope: FastifyInstance, deps: CrmDeps): Promise<void> {
  const zone = deps.config.timezone;
  const query = z
    .strictObject({ from: timeBound(zone, 'from').optional(), to: timeBound(zone, 'to').optional() })
    .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });

  scope.get(
    '/stats',
    {
      schema: routeSchema({
        summary: 'Calls per day by outcome, leads, median duration, stream errors',
        tags: ['stats'],
        query,
        responses: { 200: statsAnswer },
      }),
    },
    async (request, reply) => {
      const q = parseInput(query, request.query ?? {}, 'query');
      const today = localDate(Date.now(), zone);
      const to = q.to?.getTime() ?? startOfLocalDay(addDays(today, 1), zone);
      const from =
        q.from?.getTime() ?? Math.min(startOfLocalDay(addDays(today, 1 - DEFAULT_DAYS), zone), to - 1);
      // Checked here, not in the schema: either bound may be the default.
      if (to - from > MAX_DAYS * DAY_MS) {
        return reply.code(400).send({
          error: 'BAD_REQUEST',
          message: `from: the range may span at most ${MAX_DAYS} days`,
          field: 'from',
        });
      }
      const stats = await deps.store.callStats({
        from: new Date(from),
        to: new Date(to),
        segments: offsetSegments(from, to, zone),
      });
      const byDate = new Map(stats.days.map(({ day, ...counts }) => [dateOfDayIndex(day), counts]));
      const days: (Counts & { date: string })[] = [];
      const last = localDate(to - 1, zone);
      for (let date = localDate(from, zone); date <= last; date = addDays(date, 1)) {
        days.push({ date, ...(byDate.get(date) ?? ZERO) });
      }
      const totals = { ...ZERO };
      for (const day of days)
        for (const key of Object.keys(ZERO) as (keyof Counts)[]) totals[key] += day[key];
      return {
        from: new Date(from),
        to: new Date(to),
        timezone: zone,
        days,
        totals,
        medianDurationSec: stats.medianDurationSec,
        streamErrors: stats.streamErrors,
      };
    },
  );
}
