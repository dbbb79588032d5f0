// Property: every frame a Media Streams peer can send — random text, random JSON, Twilio's own
// frames with random values, then mutated (keys dropped, types changed, prototype keys, text
// edits, escapes) — gets a verdict from parseInbound without a throw, and the verdict and the
// message equal a reference: JSON.parse and a schema written from Twilio's documentation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseInbound, parseOutbound } from '../../src/twilio/stream-messages.js';
import { PROTOTYPE_KEYS, anyText, hugeText, runs } from './fc-setup.js';
import { structural, textual, twilioText } from './frame-arbitraries.js';

// ---- the reference -----------------------------------------------------------------------------

const digits = z.string().regex(/^\d+$/);
const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
const streamSid = z.string().regex(/^MZ[0-9a-f]{32}$/);
const REFERENCE: Record<string, z.ZodTypeAny> = {
  connected: z.object({ event: z.literal('connected'), protocol: z.string(), version: z.string() }),
  start: z
    .object({
      event: z.literal('start'),
      sequenceNumber: digits,
      streamSid,
      start: z.object({
        accountSid: z.string().min(1),
        streamSid,
        callSid: z.string().regex(/^CA[0-9a-f]{32}$/),
        tracks: z.array(z.string()),
        customParameters: z.record(z.string(), z.string()).default({}),
        mediaFormat: z.object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() }),
      }),
    })
    .refine((m) => m.streamSid === m.start.streamSid),
  // Media and marks are passed on as JSON.parse built them (extra keys included).
  media: z.looseObject({
    streamSid: z.string(),
    sequenceNumber: z.string(),
    media: z.looseObject({ track: z.string(), chunk: z.string(), timestamp: z.string(), payload: base64 }),
  }),
  mark: z.looseObject({
    streamSid: z.string().min(1),
    sequenceNumber: digits,
    mark: z.looseObject({ name: z.string() }),
  }),
  dtmf: z.object({
    event: z.literal('dtmf'),
    sequenceNumber: digits,
    streamSid: z.string().min(1),
    dtmf: z.object({ track: z.string(), digit: z.string().regex(/^[0-9*#A-Da-dw]$/) }),
  }),
  stop: z.object({
    event: z.literal('stop'),
    sequenceNumber: digits,
    streamSid: z.string().min(1),
    stop: z.object({ accountSid: z.string(), callSid: z.string() }),
  }),
};

function reference(text: string): { ok: true; message: unknown } | { ok: false } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false };
  const event = (value as { event?: unknown }).event;
  if (typeof event !== 'string' || !Object.hasOwn(REFERENCE, event)) return { ok: false };
  const parsed = REFERENCE[event]!.safeParse(value);
  if (!parsed.success) return { ok: false };
  return { ok: true, message: event === 'media' || event === 'mark' ? value : parsed.data };
}

function agreesWithReference(text: string): void {
  let verdict: ReturnType<typeof parseInbound> | undefined;
  expect(() => (verdict = parseInbound(text))).not.toThrow();
  const expected = reference(text);
  expect(verdict!.ok, text.slice(0, 300)).toBe(expected.ok);
  // Same JSON text (key order included): the scanners build what JSON.parse builds.
  if (verdict!.ok && expected.ok)
    expect(JSON.stringify(verdict!.message)).toBe(JSON.stringify(expected.message));
  // And nothing leaked onto Object.prototype through a "__proto__" key.
  expect(Object.keys(Object.prototype)).toEqual([]);
  if (!verdict!.ok) expect(typeof verdict!.reason).toBe('string');
}

describe('parseInbound, against JSON.parse and the documented schema', () => {
  it('random text and random JSON', () => {
    fc.assert(fc.property(fc.oneof(anyText, hugeText), agreesWithReference), runs(400));
    fc.assert(
      fc.property(fc.jsonValue(), (v) => agreesWithReference(JSON.stringify(v))),
      runs(400),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...PROTOTYPE_KEYS, 'media', 'mark', 'start'),
        fc.jsonValue(),
        (event, rest) =>
          agreesWithReference(JSON.stringify({ event, rest, streamSid: rest, media: rest, mark: rest })),
      ),
      runs(200),
    );
  });

  it("Twilio's own frames with random values", () => {
    fc.assert(fc.property(twilioText, agreesWithReference), runs(400));
  });

  it('mutated frames: keys dropped, types changed, prototype keys added', () => {
    fc.assert(fc.property(structural, agreesWithReference), runs(500));
  });

  it('mutated text: insertions, deletions, escapes, whitespace, duplicate keys, truncation', () => {
    fc.assert(fc.property(textual, agreesWithReference), runs(500));
  });
});

describe('parseOutbound (what the emulator judges as Twilio)', () => {
  it('never throws on anything', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc.jsonValue().map((v) => JSON.stringify(v)),
          structural,
        ),
        (text) => {
          expect(() => parseOutbound(text)).not.toThrow();
        },
      ),
      runs(400),
    );
  });
});
