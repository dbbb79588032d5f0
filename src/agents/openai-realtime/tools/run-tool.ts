// Runs one function call of the model against the store and the router. Arguments are validated
// with zod; a bad argument, an unknown tool or a failing store becomes an error *output* the
// model can read and recover from — nothing here throws.
import type { Logger } from 'pino';
import type { AgentStore, Handoff } from '../../agent.js';
import { contactPhoneFor } from '../../../store/phone.js';
import type { RingRoute, Router } from '../../../routing/router.js';
import { isToolName, toolSchemas, type ToolArgs } from './definitions.js';
import { lookupCaller } from './lookup-caller.js';

export interface ToolContext {
  callSid: string;
  from: string | null;
  /** The caller ID is verified (STIR/SHAKEN A): lookup_caller may tell their history. */
  verified: boolean;
  store: AgentStore;
  router: Router;
  log: Logger;
  now: () => Date;
}

/** What the agent does with a finished call: most just answer; some change the call. */
export type ToolOutcome =
  | { kind: 'output'; output: unknown }
  | { kind: 'end-call'; output: unknown; reason: string }
  | { kind: 'transfer'; output: unknown; target: Handoff }
  | { kind: 'keypad'; maxDigits: number; purpose: string | undefined };

export async function runTool(name: string, rawArgs: string, ctx: ToolContext): Promise<ToolOutcome> {
  if (!isToolName(name)) return error(`unknown function "${name}"`);
  let json: unknown;
  try {
    json = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
  } catch {
    return error('arguments are not valid JSON');
  }
  const parsed = toolSchemas[name].safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`)
      .join('; ');
    return error(`invalid arguments: ${detail}`);
  }
  try {
    switch (name) {
      case 'lookup_caller':
        return { kind: 'output', output: await lookupCaller(ctx) };
      case 'save_lead':
        return { kind: 'output', output: await saveLead(parsed.data as ToolArgs<'save_lead'>, ctx) };
      case 'transfer_to_human':
        return await transfer(parsed.data as ToolArgs<'transfer_to_human'>, ctx);
      case 'end_call': {
        const reason = (parsed.data as ToolArgs<'end_call'>).reason ?? 'caller done';
        return { kind: 'end-call', output: { ok: true, note: 'the call ends after your goodbye' }, reason };
      }
      case 'confirm_number_by_keypad': {
        const args = parsed.data as ToolArgs<'confirm_number_by_keypad'>;
        return { kind: 'keypad', maxDigits: args.max_digits ?? 15, purpose: args.purpose };
      }
    }
  } catch (err) {
    ctx.log.error({ err, tool: name }, 'REALTIME_TOOL_FAILED');
    return error('the system could not do that right now; apologise and offer a callback');
  }
}

function error(message: string): ToolOutcome {
  return { kind: 'output', output: { ok: false, error: message } };
}

async function saveLead(args: ToolArgs<'save_lead'>, ctx: ToolContext): Promise<unknown> {
  const { extra, ...named } = args;
  const fields: Record<string, unknown> = { ...(extra ?? {}) };
  for (const [k, v] of Object.entries(named)) if (v !== undefined) fields[k] = v;
  const phone = contactPhoneFor(ctx.from);
  const at = ctx.now();
  const contact = phone ? await ctx.store.upsertContact(phone, at) : undefined;
  const lead = await ctx.store.saveLead({ callSid: ctx.callSid, contactId: contact?.id ?? null, fields, at });
  return { ok: true, saved: Object.keys(fields), lead_id: lead.id };
}

/** Who the model tells the caller they are being put through to. */
function ringing(route: RingRoute): string {
  const only = route.groups.length === 1 && route.groups[0]?.length === 1 ? route.groups[0][0] : undefined;
  return only ? `${only.name} (${route.department})` : route.department;
}

/**
 * A department, or a person by name or id from the directory: never a number. A person or a
 * department the directory does not know is refused (the model asks again); anyone else who
 * cannot take the call now sends the caller to voicemail, with the department's prompt.
 */
async function transfer(args: ToolArgs<'transfer_to_human'>, ctx: ToolContext): Promise<ToolOutcome> {
  const route = await ctx.router.route({
    callSid: ctx.callSid,
    from: ctx.from,
    ...(args.department ? { department: args.department } : {}),
    ...(args.person ? { person: args.person } : {}),
  });
  if (route.kind === 'ring') {
    const topic = args.reason ?? route.department;
    return {
      kind: 'transfer',
      output: {
        ok: true,
        transferring_to: ringing(route),
        note: 'say one short sentence; the transfer follows',
      },
      target: { kind: 'ring', route, topic },
    };
  }
  if (route.reason === 'unknown-person')
    return error(
      `nobody called "${args.person ?? ''}" is in the directory; transfers reach only people listed there, never a number. Offer a department or take a message`,
    );
  if (route.reason === 'unknown-department') return error(route.detail);
  return {
    kind: 'transfer',
    output: {
      ok: false,
      reason: route.reason,
      the_caller_will_hear: route.prompt,
      note: 'nobody can take the call now; say one short sentence (do not repeat that message): the caller then hears it and can leave a message after the tone',
    },
    target: { kind: 'voicemail', reason: route.reason, prompt: route.prompt },
  };
}
