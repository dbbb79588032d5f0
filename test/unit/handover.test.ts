// The handover's pure parts: the TwiML a drained call is given, and the token that signs every
// parameter of the new stream (order does not matter; any change does).
import { describe, expect, it } from 'vitest';
import { handoverToken, isValidHandoverToken, streamToken } from '../../src/twilio/stream-token.js';
import { handoverTwiml } from '../../src/twilio/twiml.js';
import { handoverOf, withoutHandover } from '../../src/call/handover.js';
import { CallCapacity } from '../../src/call/call-capacity.js';

const SECRET = 'test-auth-token-0123456789abcdef';
const CALL = `CA${'1'.repeat(32)}`;

describe('the handover token', () => {
  const params = { call_sid: CALL, handover: '1764876000123', resume_agent: 'flow', resume_step: 'ask_name' };

  it('signs all parameters whatever their order, and nothing else', () => {
    const token = handoverToken(SECRET, CALL, params);
    const reordered = Object.fromEntries(Object.entries(params).reverse());
    expect(isValidHandoverToken(SECRET, CALL, reordered, token)).toBe(true);
    expect(isValidHandoverToken(SECRET, CALL, { ...params, resume_step: 'goodbye' }, token)).toBe(false);
    expect(isValidHandoverToken(SECRET, CALL, { ...params, caller_verified: 'stir-a' }, token)).toBe(false);
    expect(isValidHandoverToken(SECRET, `CA${'2'.repeat(32)}`, params, token)).toBe(false);
    expect(isValidHandoverToken('another-secret-0123456789', CALL, params, token)).toBe(false);
    expect(isValidHandoverToken(SECRET, CALL, params, undefined)).toBe(false);
    // Never the incoming_call's token: a handover cannot be made from the first stream's TwiML.
    expect(token).not.toBe(streamToken(SECRET, CALL));
  });

  it('reads the handover parameters back, and hides them from the agent', () => {
    expect(handoverOf(params)).toEqual({
      claimedAt: new Date(1764876000123),
      resume: { agent: 'flow', step: 'ask_name' },
    });
    expect(handoverOf({ call_sid: CALL })).toBeUndefined();
    expect(Number.isNaN(handoverOf({ handover: '12; drop' })!.claimedAt.getTime())).toBe(true);
    expect(withoutHandover({ ...params, caller_verified: 'stir-a' })).toEqual({
      call_sid: CALL,
      caller_verified: 'stir-a',
    });
  });
});

describe('handoverTwiml', () => {
  it('is a <Connect><Stream> to the public host with absolute URLs and no greeting', () => {
    const xml = handoverTwiml({
      host: 'calls.example.com',
      scheme: 'https',
      callSid: CALL,
      token: 'tok',
      parameters: { handover: '1', resume_agent: 'flow' },
    });
    expect(xml).not.toContain('<Play');
    expect(xml).toContain('<Connect action="https://calls.example.com/webhook/stream_ended" method="POST">');
    expect(xml).toContain('<Stream url="wss://calls.example.com/ws/twilio-media"');
    expect(xml).toContain('<Parameter name="token" value="tok"/>');
    expect(xml).toContain('<Parameter name="resume_agent" value="flow"/>');
  });
});

describe('CallCapacity', () => {
  const metrics = () => {
    const seen = { active: -1, total: [] as string[], rejected: [] as string[] };
    return {
      seen,
      metrics: {
        callsActive: { set: (v: number) => (seen.active = v) },
        callsTotal: { inc: (l: { outcome: string }) => void seen.total.push(l.outcome) },
        capacityRejections: { inc: (l: { limit: string }) => void seen.rejected.push(l.limit) },
      },
    };
  };

  it('counts a stream that came without its webhook, and releases each call once', () => {
    const { seen, metrics: m } = metrics();
    const cap = new CallCapacity({ maxCalls: 2, streamTimeoutMs: 60_000, metrics: m });
    expect(cap.admit('CA1')).toBe('admitted');
    expect(cap.admit('CA1')).toBe('retry');
    cap.streamStarted('CA2'); // its webhook went to another instance
    expect(cap.full).toBe(true);
    expect(cap.admit('CA3')).toBe('full');
    cap.release('CA2', 'stream-ended');
    cap.release('CA2', 'call-ended');
    expect(seen).toEqual({ active: 1, total: ['stream-ended'], rejected: ['calls'] });
    cap.dispose();
    expect(seen.active).toBe(0);
  });
});
