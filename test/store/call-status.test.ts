// The status order behind applyCallStatus.
import { describe, expect, it } from 'vitest';
import { isCallStatus, isTerminal, statusesBefore } from '../../src/store/call-status.js';

describe('call status order', () => {
  it('lets each status follow only the statuses ranked strictly below it', () => {
    expect(statusesBefore('queued')).toEqual([]);
    expect(statusesBefore('ringing')).toEqual(['queued', 'initiated']);
    expect(statusesBefore('in-progress')).toEqual(['queued', 'initiated', 'ringing']);
    for (const terminal of ['completed', 'busy', 'failed', 'no-answer', 'canceled'] as const) {
      expect(statusesBefore(terminal)).toEqual(['queued', 'initiated', 'ringing', 'in-progress']);
      expect(isTerminal(terminal)).toBe(true);
    }
    expect(isTerminal('in-progress')).toBe(false);
  });

  it('recognises only Twilio’s CallStatus values', () => {
    expect(isCallStatus('no-answer')).toBe(true);
    expect(isCallStatus('answered')).toBe(false);
    expect(isCallStatus('toString')).toBe(false);
    expect(isCallStatus(3)).toBe(false);
  });
});
