import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import {
  isValidWebhookSignature,
  matchStreamSignature,
  publicHostOf,
  streamUrlCandidates,
  webhookUrl,
} from '../../src/twilio/signature.js';
import { isValidStreamToken, streamToken } from '../../src/twilio/stream-token.js';

const TOKEN = '12345678901234567890123456789012';

describe('public URL of a request', () => {
  const base = {
    publicHost: undefined,
    trustProxy: false,
    protocol: 'http',
    headers: { host: '127.0.0.1:5000' },
  };
  it('uses the configured public host over anything the request says', () => {
    expect(
      webhookUrl({ ...base, publicHost: 'crm.example.com', headers: { host: 'evil.example' } }, '/webhook/x'),
    ).toBe('https://crm.example.com/webhook/x');
  });
  it('uses the Host header when nothing is configured', () => {
    expect(webhookUrl(base, '/webhook/x?a=1')).toBe('http://127.0.0.1:5000/webhook/x?a=1');
  });
  it('believes X-Forwarded-* only with TRUST_PROXY', () => {
    const headers = {
      host: '10.0.0.5:5000',
      'x-forwarded-host': 'crm.example.com, inner',
      'x-forwarded-proto': 'https',
    };
    expect(webhookUrl({ ...base, headers }, '/w')).toBe('http://10.0.0.5:5000/w');
    expect(webhookUrl({ ...base, headers, trustProxy: true }, '/w')).toBe('https://crm.example.com/w');
  });
  it('strips scheme prefixes from a host header', () => {
    expect(publicHostOf({ ...base, headers: { host: 'https://crm.example.com' } })).toBe('crm.example.com');
  });
});

describe('webhook signature', () => {
  const url = 'https://crm.example.com/webhook/incoming_call';
  const params = { CallSid: 'CA1', From: '+972501234567' };
  const sig = twilio.getExpectedTwilioSignature(TOKEN, url, params);
  it('accepts Twilio’s signature and rejects any change', () => {
    expect(isValidWebhookSignature(TOKEN, sig, url, params)).toBe(true);
    expect(isValidWebhookSignature(TOKEN, sig, url, { ...params, From: '+1' })).toBe(false);
    expect(isValidWebhookSignature(TOKEN, sig, url, { ...params, Extra: 'x' })).toBe(false);
    expect(
      isValidWebhookSignature(TOKEN, sig, 'https://other.example.com/webhook/incoming_call', params),
    ).toBe(false);
    expect(isValidWebhookSignature('another-token-another-token-1234', sig, url, params)).toBe(false);
  });
  it('answers false rather than throwing on a hostile URL', () => {
    expect(isValidWebhookSignature(TOKEN, sig, 'http://[::1', params)).toBe(false);
  });
});

describe('stream upgrade signature', () => {
  it('matches the wss URL as written, its slash twin and :443', () => {
    const candidates = streamUrlCandidates('crm.example.com', '/ws/twilio-media');
    expect(candidates).toEqual([
      'wss://crm.example.com/ws/twilio-media',
      'wss://crm.example.com/ws/twilio-media/',
      'wss://crm.example.com:443/ws/twilio-media',
      'wss://crm.example.com:443/ws/twilio-media/',
    ]);
    for (const signed of candidates) {
      const sig = twilio.getExpectedTwilioSignature(TOKEN, signed, {});
      expect(matchStreamSignature(TOKEN, sig, candidates)).toBeDefined();
    }
  });
  it('rejects a signature over the https URL or another host', () => {
    const candidates = streamUrlCandidates('crm.example.com', '/ws/twilio-media');
    const httpsSig = twilio.getExpectedTwilioSignature(TOKEN, 'https://crm.example.com/ws/twilio-media', {});
    const otherSig = twilio.getExpectedTwilioSignature(TOKEN, 'wss://old.example.com/ws/twilio-media', {});
    expect(matchStreamSignature(TOKEN, httpsSig, candidates)).toBeUndefined();
    expect(matchStreamSignature(TOKEN, otherSig, candidates)).toBeUndefined();
  });
});

describe('stream token', () => {
  it('is per call and checked in constant time', () => {
    const t = streamToken(TOKEN, 'CA1');
    expect(isValidStreamToken(TOKEN, 'CA1', t)).toBe(true);
    expect(isValidStreamToken(TOKEN, 'CA2', t)).toBe(false);
    expect(isValidStreamToken(TOKEN, 'CA1', undefined)).toBe(false);
    expect(isValidStreamToken(TOKEN, 'CA1', t.slice(1))).toBe(false);
    expect(streamToken(TOKEN, 'CA1')).toBe(t);
  });
});
