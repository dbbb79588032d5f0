// Collects keypad digits for the confirm_number_by_keypad tool: digits until '#', '*' starts
// over, a full number ends it early, and silence on the keypad ends it with what was typed.

export interface KeypadResult {
  digits: string;
  complete: boolean;
  reason: 'hash' | 'max_digits' | 'timeout' | 'cancelled';
}

interface Pending {
  maxDigits: number;
  timeoutMs: number;
  digits: string;
  timer: NodeJS.Timeout;
  done: (result: KeypadResult) => void;
}

export class KeypadCollector {
  private pending: Pending | undefined;

  get active(): boolean {
    return this.pending !== undefined;
  }

  /** Starts collecting; a collection already running is ended as cancelled first. */
  start(maxDigits: number, timeoutMs: number, done: (result: KeypadResult) => void): void {
    this.cancel();
    const p: Pending = { maxDigits, timeoutMs, digits: '', done, timer: this.arm(timeoutMs) };
    this.pending = p;
  }

  /** Feeds one DTMF digit; false when nobody is collecting. */
  feed(digit: string): boolean {
    const p = this.pending;
    if (!p) return false;
    if (digit === '#') {
      this.finish(p.digits.length > 0 ? 'hash' : 'timeout');
      return true;
    }
    if (digit === '*') p.digits = '';
    else if (/^[0-9]$/.test(digit)) p.digits += digit;
    else return true; // A–D: not part of a number
    if (p.digits.length >= p.maxDigits) {
      this.finish('max_digits');
      return true;
    }
    // Each key restarts the wait, so a slow typist is not cut off mid-number.
    clearTimeout(p.timer);
    p.timer = this.arm(p.timeoutMs);
    return true;
  }

  /** Ends the entry; `silent` drops it without an answer (its session or call is gone). */
  cancel(silent = false): void {
    const p = this.pending;
    if (!p) return;
    if (!silent) return this.finish('cancelled');
    this.pending = undefined;
    clearTimeout(p.timer);
  }

  private arm(ms: number): NodeJS.Timeout {
    return setTimeout(() => this.finish('timeout'), ms);
  }

  private finish(reason: KeypadResult['reason']): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.done({ digits: p.digits, complete: reason === 'hash' || reason === 'max_digits', reason });
  }
}

/**
 * Whether typed digits are the caller id: compares national significant numbers, so 0501234567
 * typed matches +972501234567 from Twilio.
 */
export function matchesCallerId(typed: string, from: string | null): boolean | undefined {
  const caller = from?.replace(/\D/g, '') ?? '';
  const digits = typed.replace(/^0+/, '');
  if (caller.length < 7 || digits.length < 7) return undefined;
  return caller.endsWith(digits);
}
