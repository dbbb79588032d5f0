// The call-flow file format (JSON or YAML), validated with zod: prompts, DTMF menus, spoken
// questions recorded as clips, keypad entry, transfer to a department and an end step; a personal
// line and a start branch for returning callers.
import { z } from 'zod';

const stepId = z.string().regex(/^[A-Za-z][\w-]*$/, { message: 'step ids are letters, digits, _ and -' });
const prompt = z.string().trim().min(1, { message: 'a prompt needs text' }).max(1000);
/** A lead field; a question's answer clip is saved as <field>-<sid>.wav, so it is one plain name. */
const field = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^/\\\0]+$/, { message: 'a field name has no /, \\ or NUL' });

const menuStep = z.strictObject({
  type: z.literal('menu'),
  prompt,
  /** Key → next step, e.g. { "1": "sales", "2": "support" }. */
  options: z.record(
    z.string().regex(/^[0-9*#]$/, { message: 'menu keys are single keys 0-9, * or #' }),
    stepId,
  ),
  /** Where a caller who never presses a key goes after the retries (default: the end step). */
  noInput: stepId.optional(),
  /** Start step only: where a returning caller with an open lead goes instead of this menu. */
  returning: stepId.optional(),
});

const questionStep = z.strictObject({
  type: z.literal('question'),
  prompt,
  /** The lead field the answer clip is stored under. */
  field,
  next: stepId,
  /** Longest answer, in seconds. */
  maxSec: z.number().positive().max(120).default(20),
});

const keypadStep = z.strictObject({
  type: z.literal('keypad'),
  prompt,
  field,
  next: stepId,
  minDigits: z.number().int().min(1).max(32).default(9),
  maxDigits: z.number().int().min(1).max(32).default(15),
  /** Said when the entry is too short. */
  invalidPrompt: prompt.optional(),
});

const transferStep = z.strictObject({
  type: z.literal('transfer'),
  prompt,
  department: z.string().min(1),
  /** What the agent's whisper says the call is about (default: the department's id). */
  topic: z.string().trim().min(1).max(200).optional(),
  /** Where to go when nobody can take the call (default: voicemail). */
  fallback: stepId.optional(),
  /** `last`: ask the router for the agent who handled this caller last (sticky routing). */
  preferAgentOf: z.literal('last').optional(),
});

const endStep = z.strictObject({ type: z.literal('end'), prompt });

export const flowStepSchema = z.discriminatedUnion('type', [
  menuStep,
  questionStep,
  keypadStep,
  transferStep,
  endStep,
]);

export const flowSchema = z
  .strictObject({
    name: z.string().default('flow'),
    /** espeak-ng voice for the prompts. */
    voice: z.string().default('he'),
    start: stepId,
    /** Seconds of silence before a prompt is repeated. */
    silenceSec: z.number().positive().max(60).default(6),
    /** Repeats before the caller is politely let go. */
    maxRetries: z.number().int().min(0).max(5).default(2),
    repromptPrefix: z.string().default(''),
    /** Said before hanging up on a caller who never answered. */
    goodbyeNoInput: prompt,
    /**
     * Said to a returning caller whose contact has a name, before the first step; `{name}` is their
     * first name. Empty: no personal line.
     */
    returningGreeting: z
      .string()
      .trim()
      .max(200)
      .refine((t) => t === '' || t.includes('{name}'), { message: 'must contain {name}, or be empty' })
      .default('שלום {name}, טוב לשמוע ממך שוב.'),
    steps: z.record(stepId, flowStepSchema),
  })
  .superRefine((flow, ctx) => {
    const ids = new Set(Object.keys(flow.steps));
    const check = (target: string | undefined, where: (string | number)[]) => {
      if (target !== undefined && !ids.has(target)) {
        ctx.addIssue({ code: 'custom', path: where, message: `no step named "${target}"` });
      }
    };
    check(flow.start, ['start']);
    for (const [id, step] of Object.entries(flow.steps)) {
      const at = ['steps', id];
      if (step.type === 'menu') {
        for (const [key, target] of Object.entries(step.options)) check(target, [...at, 'options', key]);
        check(step.noInput, [...at, 'noInput']);
        check(step.returning, [...at, 'returning']);
        if (step.returning !== undefined && id !== flow.start) {
          ctx.addIssue({
            code: 'custom',
            path: [...at, 'returning'],
            message: 'only the start step may branch on returning callers',
          });
        }
      }
      if (step.type === 'question' || step.type === 'keypad') check(step.next, [...at, 'next']);
      if (step.type === 'keypad' && step.minDigits > step.maxDigits) {
        ctx.addIssue({ code: 'custom', path: [...at, 'minDigits'], message: 'minDigits is above maxDigits' });
      }
      if (step.type === 'transfer') check(step.fallback, [...at, 'fallback']);
    }
  });

export type Flow = z.infer<typeof flowSchema>;
export type FlowStep = z.infer<typeof flowStepSchema>;
export type FlowInput = z.input<typeof flowSchema>;
