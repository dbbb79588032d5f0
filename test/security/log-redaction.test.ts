// Redaction findings of issue 15: personal data stays redacted at LOG_LEVEL=debug, at any depth and
// in a child's bindings; only LOG_UNREDACTED=true turns it off, and says so loudly at start-up.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactPersonal } from '../../src/log.js';
import { parseConfig } from '../../src/config.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  return { stream, lines, text: () => text };
}

const NUMBERS = ['+972501234567', '+14155550100', '+442071838750', '90210#', 'my card is 4111'];
const nested = {
  call: { leg: { party: { From: NUMBERS[0], To: NUMBERS[1] } } },
  legs: [{ caller: NUMBERS[2] }, { detail: { digits: NUMBERS[3] } }],
  turn: { said: { transcript: NUMBERS[4] } },
};

describe('log redaction', () => {
  it('stays on at LOG_LEVEL=debug and trace', () => {
    for (const logLevel of ['debug', 'trace'] as const) {
      const out = capture();
      createLogger(parseConfig({ LOG_LEVEL: logLevel }), out.stream).debug(
        { from: NUMBERS[0], digit: '7' },
        'TEST_LINE',
      );
      expect(out.lines[0]).toMatchObject({ msg: 'TEST_LINE', from: '[redacted]', digit: '[redacted]' });
    }
  });

  it('reaches nested objects and arrays at any depth', () => {
    const out = capture();
    createLogger({ logLevel: 'info' }, out.stream).info(nested, 'TEST_LINE');
    for (const secret of NUMBERS) expect(out.text()).not.toContain(secret);
    expect(out.lines[0]).toMatchObject({
      call: { leg: { party: { From: '[redacted]', To: '[redacted]' } } },
      legs: [{ caller: '[redacted]' }, { detail: { digits: '[redacted]' } }],
      turn: { said: { transcript: '[redacted]' } },
    });
  });

  it("covers a child logger's bindings", () => {
    const out = capture();
    createLogger({ logLevel: 'info' }, out.stream)
      .child({ from: NUMBERS[0], leg: { to: NUMBERS[1] } })
      .info('TEST_LINE');
    expect(out.text()).not.toContain(NUMBERS[0]);
    expect(out.text()).not.toContain(NUMBERS[1]);
  });

  it('leaves everything else (and the caller’s object) as it was', () => {
    const line = { callSid: 'CA1', count: 3, err: new Error('boom'), list: [1, 2], nothing: null };
    expect(redactPersonal(line)).toBe(line);
    const withNumber = { a: { from: '+1' }, b: { c: 1 } };
    const redacted = redactPersonal(withNumber) as typeof withNumber;
    expect(redacted).toEqual({ a: { from: '[redacted]' }, b: { c: 1 } });
    expect(redacted.b).toBe(withNumber.b);
    expect(withNumber.a.from).toBe('+1');
    const out = capture();
    createLogger({ logLevel: 'info' }, out.stream).error({ err: new Error('boom') }, 'TEST_LINE');
    expect(out.lines[0]).toMatchObject({ err: { message: 'boom', type: 'Error' } });
  });

  it('survives a cycle', () => {
    const a: Record<string, unknown> = { from: '+1' };
    a.self = a;
    expect(() => redactPersonal(a)).not.toThrow();
  });

  it('is off with LOG_UNREDACTED=true, with a loud line first', () => {
    const out = capture();
    const log = createLogger(parseConfig({ LOG_LEVEL: 'debug', LOG_UNREDACTED: 'true' }), out.stream);
    log.info(nested, 'TEST_LINE');
    expect(out.lines[0]).toMatchObject({ level: 40, msg: expect.stringMatching(/^LOG_UNREDACTED: !!!/) });
    expect(out.lines[1]).toMatchObject({ msg: 'TEST_LINE', ...nested });
  });
});
