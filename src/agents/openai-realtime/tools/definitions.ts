// The functions the model may call: one zod schema per tool is both the argument validator and,
// converted to JSON Schema, what the model is told in session.update.
import { z } from 'zod';
import type { FunctionToolSpec } from '../client-events.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const toolSchemas = {
  lookup_caller: z.object({}),
  save_lead: z
    .object({
      name: text(200).optional().describe("The caller's name"),
      need: text(1000).optional().describe('What the caller needs or asks about'),
      area: text(200).optional().describe('City, neighbourhood or region'),
      budget: text(200).optional().describe('Budget, as the caller said it'),
      callback_time: text(200).optional().describe('When to call back, as the caller said it'),
      notes: text(2000).optional().describe('Anything else worth keeping'),
      extra: z
        .record(z.string().min(1).max(64), z.string().max(500))
        .optional()
        .describe('Other named fields'),
    })
    .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'give at least one field' }),
  transfer_to_human: z.object({
    department: text(100).optional().describe('Department or skill, e.g. sales, support, billing'),
    person: text(100)
      .optional()
      .describe('A person the caller asked for, by name as the caller said it (never a phone number)'),
    reason: text(500).optional().describe('Why, in a few words: the person who answers hears it first'),
  }),
  end_call: z.object({
    reason: text(200).optional().describe('Why the call ends, in a few words'),
  }),
  confirm_number_by_keypad: z.object({
    purpose: text(200).optional().describe('What the number is, e.g. callback phone number'),
    max_digits: z.number().int().min(1).max(20).optional().describe('Most digits expected'),
  }),
} as const;

export type ToolName = keyof typeof toolSchemas;
export type ToolArgs<N extends ToolName> = z.output<(typeof toolSchemas)[N]>;

export function isToolName(name: string): name is ToolName {
  return Object.prototype.hasOwnProperty.call(toolSchemas, name);
}

const DESCRIPTIONS: Record<ToolName, string> = {
  lookup_caller:
    'Looks up the caller by their phone number: name, past calls and open requests (for an unverified caller ID, a first name only). Call it early, quietly, before greeting a returning caller by name.',
  save_lead:
    'Saves what the caller wants (name, need, area, budget, callback time, notes). Call it as soon as you learn these; calling again adds to the same record.',
  transfer_to_human:
    'Transfers the caller to a human: a department, or a person by name from the company directory (only people listed there can be reached; never a phone number). Tell the caller you are transferring them first. A name or department not in the directory is refused: ask again. If nobody can take the call the caller hears why and can leave a message.',
  end_call:
    'Ends the call. Say a short goodbye first, in the same turn, then call this. Only when the caller is done or asks to hang up.',
  confirm_number_by_keypad:
    'Asks the caller to type a number on the keypad, ending with #. First ask them aloud to type it and press #, then call this; the result is the digits typed.',
};

export function toolSpecs(): FunctionToolSpec[] {
  return (Object.keys(toolSchemas) as ToolName[]).map((name) => {
    const schema = z.toJSONSchema(toolSchemas[name], { io: 'input' }) as Record<string, unknown>;
    delete schema.$schema;
    return { name, description: DESCRIPTIONS[name], parameters: schema };
  });
}
