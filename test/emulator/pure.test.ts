// The emulator's pure parts with literal inputs: TwiML parsing and Twilio's defaults, stream URL
// checks, the network map, and the judgement of server frames.
import { describe, expect, it } from 'vitest';
import { checkStreamUrl, parseTwiml, planDial } from '../../src/emulator/index.js';
import { judgeOutbound } from '../../src/emulator/outbound-check.js';
import { rfc2822, standardParams } from '../../src/emulator/params.js';

describe('parseTwiml', () => {
  it('reads the seed document with Twilio defaults and decoded entities', () => {
    const parsed = parseTwiml(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Play>https://h/static/tts/greeting_he.mp3?a=1&amp;b=2</Play>' +
        '<Connect action="/webhook/stream_ended"><Stream url="wss://h/ws/twilio-media">' +
        '<Parameter name="call_sid" value="CA1"/><Parameter name="token" value="a&amp;b"/></Stream></Connect>' +
        '<Record action="/webhook/handle_recording"/></Response>',
    );
    expect(parsed).toEqual({
      ok: true,
      warnings: [],
      verbs: [
        { verb: 'Play', url: 'https://h/static/tts/greeting_he.mp3?a=1&b=2', loop: 1, digits: undefined },
        {
          verb: 'Connect',
          action: '/webhook/stream_ended',
          method: 'POST',
          nouns: ['Stream'],
          stream: {
            url: 'wss://h/ws/twilio-media',
            name: undefined,
            track: undefined,
            statusCallback: undefined,
            statusCallbackMethod: 'POST',
            parameters: { call_sid: 'CA1', token: 'a&b' },
          },
        },
        expect.objectContaining({
          verb: 'Record',
          maxLengthSec: 3600,
          timeoutSec: 5,
          finishOnKey: '1234567890*#',
          playBeep: true,
          trim: 'trim-silence',
          recordingStatusCallbackEvents: ['completed'],
        }),
      ],
    });
  });

  it.each([
    ['', /empty/],
    ['OK', /not well-formed/],
    ['<Response><Say>unclosed</Response>', /not well-formed/],
    ['<Resp/>', /root element must be <Response>/],
  ])('rejects %j as a 12100', (xml, reason) => {
    const parsed = parseTwiml(xml);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.code).toBe(12100);
      expect(parsed.reason).toMatch(reason);
    }
  });

  it('warns about bad attribute values and keeps Twilio’s default', () => {
    const parsed = parseTwiml('<Response><Pause length="soon"/><Enqueue>q</Enqueue></Response>');
    expect(parsed).toMatchObject({
      ok: true,
      verbs: [
        { verb: 'Pause', lengthSec: 1 },
        { verb: 'Unsupported', name: 'Enqueue' },
      ],
    });
    if (parsed.ok) expect(parsed.warnings[0]).toMatch(/soon/);
  });
});

describe('checkStreamUrl', () => {
  it('accepts wss and resolves a relative URL against the document as wss', () => {
    expect(checkStreamUrl('wss://h/ws', undefined)).toMatchObject({ ok: true });
    const relative = checkStreamUrl('/ws/twilio-media', 'https://h.example/webhook/incoming_call');
    expect(relative.ok && relative.url.href).toBe('wss://h.example/ws/twilio-media');
  });

  it.each([
    ['ws://h/ws', 31922],
    ['https://h/ws', 31922],
    ['wss://h/ws?x=1', 31920],
    ['wss://h/ws?', 31920],
    ['wss//h/ws', 31923],
    ['wss://h/ws with space', 31923],
    ['', 31923],
  ])('flags %j as %i', (url, code) => {
    expect(checkStreamUrl(url, 'https://h/doc')).toMatchObject({ ok: false, code });
  });

  it('flags a relative URL in REST TwiML (no document URL) as 15004', () => {
    expect(checkStreamUrl('/ws', undefined)).toMatchObject({ ok: false, code: 15004 });
  });
});

describe('planDial', () => {
  const map = { 'https://agents.example.com': 'http://127.0.0.1:4000' };

  it('routes a mapped public origin to the local one, with a proxy’s headers, for https and wss alike', () => {
    const https = planDial(new URL('https://agents.example.com/webhook/x?a=1'), map);
    expect(https.dialUrl.href).toBe('http://127.0.0.1:4000/webhook/x?a=1');
    expect(https.proxyHeaders).toMatchObject({
      host: 'agents.example.com',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'agents.example.com',
    });
    expect(planDial(new URL('wss://agents.example.com/ws'), map).dialUrl.href).toBe('ws://127.0.0.1:4000/ws');
  });

  it('downgrades only loopback hosts without an entry', () => {
    expect(planDial(new URL('wss://127.0.0.1:5000/ws'))).toMatchObject({ downgraded: true });
    expect(planDial(new URL('wss://127.0.0.1:5000/ws')).dialUrl.href).toBe('ws://127.0.0.1:5000/ws');
    expect(planDial(new URL('wss://other.example.com/ws'), map)).toMatchObject({ downgraded: false });
  });
});

describe('judgeOutbound', () => {
  const sid = 'MZ' + '1'.repeat(32);
  it('accepts Twilio’s three outbound messages for this stream', () => {
    expect(
      judgeOutbound(
        JSON.stringify({ event: 'media', streamSid: sid, media: { payload: '//8=' } }),
        false,
        sid,
      ),
    ).toMatchObject({ ok: true, audio: Buffer.from([0xff, 0xff]) });
    expect(judgeOutbound(JSON.stringify({ event: 'clear', streamSid: sid }), false, sid).ok).toBe(true);
  });

  it('names ID3 tags as header bytes too', () => {
    const payload = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(157)]).toString('base64');
    const verdict = judgeOutbound(
      JSON.stringify({ event: 'media', streamSid: sid, media: { payload } }),
      false,
      sid,
    );
    expect(verdict).toMatchObject({ ok: false, code: 31924 });
  });
});

describe('standard parameters', () => {
  it('carries Twilio’s caller and called fields and an RFC 2822 date', () => {
    const params = standardParams(
      { accountSid: 'AC1', callSid: 'CA1', from: '+972501234567', to: '+15005550006' },
      'ringing',
    );
    expect(params).toMatchObject({
      Caller: '+972501234567',
      Called: '+15005550006',
      FromCountry: 'IL',
      ToCountry: 'US',
    });
    expect(rfc2822(new Date(Date.UTC(2010, 7, 16, 3, 45, 1)))).toBe('Mon, 16 Aug 2010 03:45:01 +0000');
  });
});
