// The test call's pure parts: the browser's messages, the Origin check that keeps a page elsewhere
// from opening the socket with an admin's cookie, and the URLs the emulator calls.
import { describe, expect, it } from 'vitest';
import { TEST_CALL_CLOSE, parseClientMessage } from '../../src/test-call/protocol.js';
import { isOwnOrigin } from '../../src/server/test-call-route.js';
import { testCallTarget } from '../../src/test-call/test-calls.js';

describe('parseClientMessage', () => {
  it('reads hang-up and each keypad digit', () => {
    expect(parseClientMessage('{"type":"hangup"}')).toEqual({ ok: true, message: { type: 'hangup' } });
    for (const digit of '0123456789*#') {
      expect(parseClientMessage(JSON.stringify({ type: 'dtmf', digit }))).toEqual({
        ok: true,
        message: { type: 'dtmf', digit },
      });
    }
  });

  it('refuses anything else with the close code that says why', () => {
    const refused = (text: string) => {
      const parsed = parseClientMessage(text);
      return parsed.ok ? undefined : parsed.close;
    };
    expect(refused('not json')).toBe(TEST_CALL_CLOSE.BAD_PAYLOAD);
    expect(refused('[1]')).toBe(TEST_CALL_CLOSE.BAD_PAYLOAD);
    expect(refused('null')).toBe(TEST_CALL_CLOSE.BAD_PAYLOAD);
    expect(refused('{"type":"dtmf","digit":"A"}')).toBe(TEST_CALL_CLOSE.BAD_PAYLOAD);
    expect(refused('{"type":"dtmf","digit":"12"}')).toBe(TEST_CALL_CLOSE.BAD_PAYLOAD);
    expect(refused('{"type":"dtmf","digit":3}')).toBe(TEST_CALL_CLOSE.BAD_PAYLOAD);
    expect(refused('{"type":"transfer"}')).toBe(TEST_CALL_CLOSE.UNSUPPORTED);
    expect(refused(JSON.stringify({ type: 'hangup', pad: 'x'.repeat(300) }))).toBe(TEST_CALL_CLOSE.TOO_BIG);
  });
});

describe('isOwnOrigin', () => {
  const direct = { publicHost: undefined, trustProxy: false };
  const host = (h: string, forwarded?: string) => ({ host: h, forwardedHost: forwarded });

  it('accepts the page of the host the request was sent to', () => {
    expect(isOwnOrigin('http://127.0.0.1:5000', host('127.0.0.1:5000'), direct)).toBe(true);
    expect(isOwnOrigin('https://crm.example.com', host('crm.example.com'), direct)).toBe(true);
    // Default ports are the same origin whether or not the Host header spells them.
    expect(isOwnOrigin('https://crm.example.com', host('crm.example.com:443'), direct)).toBe(true);
    expect(isOwnOrigin('http://CRM.example.com', host('crm.example.com'), direct)).toBe(true);
  });

  it('refuses a page elsewhere, a missing or opaque Origin, and another port', () => {
    expect(isOwnOrigin('https://evil.example', host('crm.example.com'), direct)).toBe(false);
    expect(isOwnOrigin('https://crm.example.com.evil.example', host('crm.example.com'), direct)).toBe(false);
    expect(isOwnOrigin(undefined, host('crm.example.com'), direct)).toBe(false);
    expect(isOwnOrigin('null', host('crm.example.com'), direct)).toBe(false);
    expect(isOwnOrigin('file:///tmp/x.html', host('crm.example.com'), direct)).toBe(false);
    expect(isOwnOrigin('http://127.0.0.1:5001', host('127.0.0.1:5000'), direct)).toBe(false);
  });

  it('accepts the configured public host, and the forwarded host only behind a trusted proxy', () => {
    const behind = host('10.0.0.5:5000', 'crm.example.com');
    expect(
      isOwnOrigin('https://crm.example.com', behind, { publicHost: 'crm.example.com', trustProxy: false }),
    ).toBe(true);
    expect(isOwnOrigin('https://crm.example.com', behind, direct)).toBe(false);
    expect(isOwnOrigin('https://crm.example.com', behind, { publicHost: undefined, trustProxy: true })).toBe(
      true,
    );
  });
});

describe('testCallTarget', () => {
  it('signs for the public host and dials the loopback address when one is configured', () => {
    expect(testCallTarget('crm.example.com', 'http://127.0.0.1:5000')).toEqual({
      target: {
        webhookUrl: 'https://crm.example.com/webhook/incoming_call',
        statusCallbackUrl: 'https://crm.example.com/webhook/call_status',
        publicOrigin: 'https://crm.example.com',
      },
      networkMap: { 'https://crm.example.com': 'http://127.0.0.1:5000' },
    });
  });

  it('calls the loopback address as it is without one (the server signs what the Host says)', () => {
    const { target, networkMap } = testCallTarget(undefined, 'http://127.0.0.1:5000');
    expect(target.webhookUrl).toBe('http://127.0.0.1:5000/webhook/incoming_call');
    expect(networkMap).toEqual({});
  });
});
