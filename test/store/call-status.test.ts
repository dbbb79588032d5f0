// The status order behind applyCallStatus, on Twilio's CallStatus list.
import { describe, expect, it } from 'vitest';
import { statusesBefore } from '../../src/store/call-status.js';
import { callStatusSchema, isCallStatus, isTerminalStatus } from '../../src/twilio/call-status.js';

describe('call status order', () => {
  it('lets each status follow only the statuses ranked strictly below it', () => {
    expect(statusesBefore('queued')).toEqual([]);
    expect(statusesBefore('ringing')).toEqual(['queued', 'initiated']);
    expect(statusesBefore('in-progress')).toEqual(['queued', 'initiated', 'ringing']);
    for (const terminal of ['completed', 'busy', 'failed', 'no-answer', 'canceled'] as const) {
      expect(statusesBefore(terminal)).toEqual(['queued', 'initiated', 'ringing', 'in-progress']);
      expect(isTerminalStatus(terminal)).toBe(true);
    }
    expect(isTerminalStatus('in-progress')).toBe(false);
    expect(isTerminalStatus('answered')).toBe(false); // a DialCallStatus, not a CallStatus
  });

  it('recognises only Twilio’s CallStatus values', () => {
    expect(isCallStatus('no-answer')).toBe(true);
    expect(isCallStatus('answered')).toBe(false);
    expect(isCallStatus('toString')).toBe(false);
    expect(isCallStatus(3)).toBe(false);
    expect(callStatusSchema.safeParse('no-answer').success).toBe(true);
    expect(callStatusSchema.safeParse('exploded').success).toBe(false);
  });
});
