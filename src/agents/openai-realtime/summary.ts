// The post-call summary: the model's text answer parsed (JSON with a summary and lead fields,
// or plain text as a fallback) and stored with setCallSummary / saveLead.
import { z } from 'zod';
import type { Logger } from 'pino';
import type { AgentStore } from '../agent.js';
import { contactPhoneFor } from '../../store/phone.js';

// Lead values are filtered one by one below: one odd field must not cost the whole summary.
const summarySchema = z.object({
  summary: z.string().trim().min(1).max(4000),
  lead: z.record(z.string(), z.unknown()).nullish(),
});

export interface CallSummary {
  summary: string;
  lead: Record<string, string> | undefined;
}

export function parseSummary(text: string): CallSummary | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  // Models sometimes wrap JSON in a code fence; take the outermost object.
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  if (start >= 0 && end > start) {
    try {
      const parsed = summarySchema.safeParse(JSON.parse(trimmed.slice(start, end + 1)));
      if (parsed.success) {
        const lead: Record<string, string> = {};
        for (const [k, v] of Object.entries(parsed.data.lead ?? {})) {
          if (typeof v === 'string' && v.trim() && k.length <= 64) lead[k] = v.trim().slice(0, 1000);
        }
        return { summary: parsed.data.summary, lead: Object.keys(lead).length ? lead : undefined };
      }
    } catch {
      // not JSON after all: keep the text
    }
  }
  return { summary: trimmed.slice(0, 4000), lead: undefined };
}

export async function storeSummary(
  s: CallSummary,
  ctx: { store: AgentStore; callSid: string; from: string | null; now: Date; log: Logger },
): Promise<void> {
  try {
    await ctx.store.setCallSummary(ctx.callSid, s.summary);
    if (!s.lead) return;
    // What the model saved during the call (save_lead) was confirmed with the caller: the summary
    // only fills the gaps, never overwrites.
    const existing = await ctx.store.getLeadForCall(ctx.callSid);
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.lead)) if (existing?.fields[k] === undefined) fields[k] = v;
    if (Object.keys(fields).length === 0) return;
    const phone = contactPhoneFor(ctx.from);
    const contact = phone ? await ctx.store.upsertContact(phone, ctx.now) : undefined;
    await ctx.store.saveLead({
      callSid: ctx.callSid,
      contactId: existing?.contactId ?? contact?.id ?? null,
      fields,
      at: ctx.now,
    });
  } catch (err) {
    ctx.log.error({ err }, 'STORE_FAILED: call summary');
  }
}

/** Stores the model's summary once it answers; no answer (or no text) within the bound is logged. */
export async function storeSummaryAnswer(
  answer: Promise<string | undefined>,
  ctx: { store: AgentStore; callSid: string; from: string | null; now: () => Date; log: Logger },
): Promise<void> {
  const text = await answer;
  const parsed = text ? parseSummary(text) : undefined;
  if (!parsed) return ctx.log.warn('REALTIME_SUMMARY_MISSING: no text within the bound');
  await storeSummary(parsed, { ...ctx, now: ctx.now() });
  ctx.log.info({ lead: parsed.lead !== undefined }, 'REALTIME_SUMMARY_STORED');
}
