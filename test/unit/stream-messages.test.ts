import { describe, expect, it } from 'vitest';
import {
  encodeClear,
  encodeInboundMedia,
  encodeMark,
  encodeMedia,
  encodeStart,
  markEncoder,
  mediaFrameParts,
  parseInbound,
  parseOutbound,
} from '../../src/twilio/stream-messages.js';

// Literal frames as Twilio documents them (Media Streams "WebSocket Messages").
const START = `{"event":"start","sequenceNumber":"1","start":{"accountSid":"ACxx","streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0","callSid":"CA5174584e1127285e2b015e720b3d9e68","tracks":["inbound"],"customParameters":{"FirstName":"Jane"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0"}`;
const MEDIA = `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"no+JhoaJjpzSHxAKBgYJDhtEopGKh4aIjZm7JhQLBwYIDRg1qZSLh4aIi5apLxYNCAYHCxQsr5iNiIaHipKjOBoPCQYGCRApwJyOiYaGiY+f/x4RCgYGCA4iS6OSioeGiI2YvSkVDAcGCA0YM6qVjIeGh4uWrC0XDQgGBw=="},"streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0"}`;
const STOP = `{"event":"stop","sequenceNumber":"5","stop":{"accountSid":"ACxx","callSid":"CAxx"},"streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0"}`;
const MARK = `{"event":"mark","sequenceNumber":"4","streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0","mark":{"name":"my label"}}`;
const DTMF = `{"event":"dtmf","streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}`;

describe('inbound Twilio frames', () => {
  it('parses every documented event', () => {
    for (const [text, event] of [
      ['{"event":"connected","protocol":"Call","version":"1.0.0"}', 'connected'],
      [START, 'start'],
      [MEDIA, 'media'],
      [MARK, 'mark'],
      [DTMF, 'dtmf'],
      [STOP, 'stop'],
    ] as const) {
      const r = parseInbound(text);
      expect(r.ok, text).toBe(true);
      if (r.ok) expect(r.message.event).toBe(event);
    }
  });

  it('keeps custom parameters from start', () => {
    const r = parseInbound(START);
    expect(r.ok && r.message.event === 'start' && r.message.start.customParameters).toEqual({
      FirstName: 'Jane',
    });
  });

  it('rejects garbage with a reason and never throws', () => {
    for (const bad of [
      'not json',
      '[]',
      'null',
      '{"event":"nope"}',
      '{"event":"media","streamSid":"MZ1"}',
      '{"event":"media","sequenceNumber":"1","streamSid":"MZ1","media":{"track":"inbound","chunk":"1","timestamp":"1","payload":"%%%%"}}',
      '{"event":"start","sequenceNumber":"1"}',
      '{"event":"mark","sequenceNumber":"x","streamSid":"MZ1","mark":{"name":"a"}}',
      '{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{}}',
      '{"event":"mark","sequenceNumber":"4","streamSid":"","mark":{"name":"a"}}',
      '{"event":"mark","sequenceNumber":"4","mark":{"name":"a"}}',
      '{"event":"dtmf","sequenceNumber":"1","streamSid":"MZ1","dtmf":{"track":"inbound_track","digit":"12"}}',
      '{"__proto__":{"event":"media"}}',
    ]) {
      const r = parseInbound(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
    }
  });

  it('round-trips the emulator encoders', () => {
    expect(
      parseInbound(
        encodeStart({
          sequenceNumber: 1,
          accountSid: 'AC1',
          streamSid: `MZ${'1'.repeat(32)}`,
          callSid: `CA${'2'.repeat(32)}`,
          customParameters: { token: 't' },
        }),
      ).ok,
    ).toBe(true);
    expect(
      parseInbound(
        encodeInboundMedia({
          sequenceNumber: 2,
          streamSid: 'MZ1',
          chunk: 1,
          timestampMs: 20,
          payload: '/////w==',
        }),
      ).ok,
    ).toBe(true);
  });
});

describe('outbound frames', () => {
  it('always carry the stream sid and pass Twilio’s strict check', () => {
    for (const text of [encodeMedia('MZ9', '/////w=='), encodeMark('MZ9', 'g0:50:1'), encodeClear('MZ9')]) {
      expect(JSON.parse(text).streamSid).toBe('MZ9');
      expect(parseOutbound(text).ok).toBe(true);
    }
  });

  it('builds media and marks for one stream exactly as encodeMedia and encodeMark do', () => {
    const parts = (sid: string, payload: string) => {
      const { head, tail } = mediaFrameParts(sid);
      return head + payload + tail;
    };
    expect(parts('MZ9', '/////w==')).toBe(encodeMedia('MZ9', '/////w=='));
    expect(parseOutbound(parts('MZ"odd', 'AA==')).ok).toBe(true);
    expect(markEncoder('MZ"odd')('g1:2:3')).toBe(encodeMark('MZ"odd', 'g1:2:3'));
  });

  it('escapes mark names like any JSON string', () => {
    const text = encodeMark('MZ9', 'say "hi" \\ 1');
    expect(JSON.parse(text)).toEqual({ event: 'mark', streamSid: 'MZ9', mark: { name: 'say "hi" \\ 1' } });
    expect(parseOutbound(text).ok).toBe(true);
  });

  it('flags what Twilio would reject: extra fields, missing streamSid, bad payload', () => {
    expect(parseOutbound('{"event":"media","streamSid":"MZ9","media":{"payload":"AA=="},"extra":1}').ok).toBe(
      false,
    );
    expect(parseOutbound('{"event":"mark","mark":{"name":"x"}}').ok).toBe(false);
    expect(parseOutbound('{"event":"media","streamSid":"MZ9","media":{"payload":"not base64!"}}').ok).toBe(
      false,
    );
    expect(parseOutbound('{"event":"stop","streamSid":"MZ9"}').ok).toBe(false);
  });
});
