import { describe, expect, it } from 'vitest';
import { incomingCallTwiml, voicemailTwiml, emptyTwiml } from '../../src/twilio/twiml.js';
import {
  transferDialTwiml,
  transferUrls,
  whisperAcceptTwiml,
  whisperDeclineTwiml,
  whisperTwiml,
} from '../../src/twilio/transfer-twiml.js';

const CALL = 'CA' + 'a'.repeat(32);

describe('TwiML documents', () => {
  it('plays the greeting, then connects a wss stream with the call sid and token as parameters', () => {
    const xml = incomingCallTwiml({
      host: 'ai-crm.example.com',
      scheme: 'https',
      callSid: CALL,
      token: 'tok123',
      greeting: { kind: 'mp3', path: '/static/tts/greeting_he.mp3' },
    });
    expect(xml).toContain('<Play>https://ai-crm.example.com/static/tts/greeting_he.mp3</Play>');
    expect(xml).toMatch(
      /<Connect action="\/webhook\/stream_ended" method="POST"><Stream url="wss:\/\/ai-crm\.example\.com\/ws\/twilio-media"/,
    );
    expect(xml).toContain('statusCallback="https://ai-crm.example.com/webhook/stream_status"');
    expect(xml).toContain(`<Parameter name="call_sid" value="${CALL}"/>`);
    expect(xml).toContain('<Parameter name="token" value="tok123"/>');
    expect(xml).not.toContain('ws://');
    expect(xml).not.toMatch(/twilio-media\?/);
    // <Play> comes before <Connect>: the caller hears something at once.
    expect(xml.indexOf('<Play>')).toBeLessThan(xml.indexOf('<Connect'));
  });

  it('speaks the greeting in Hebrew when no MP3 exists', () => {
    const xml = incomingCallTwiml({
      host: 'h.example.com',
      scheme: 'https',
      callSid: CALL,
      token: 't',
      greeting: { kind: 'say', text: 'שלום' },
    });
    expect(xml).toContain('<Say language="he-IL" voice="Google.he-IL-Standard-A">שלום</Say>');
    expect(xml).not.toContain('<Play>');
  });

  it('uses the scheme the call came in on for HTTP URLs, and wss for the stream', () => {
    const xml = incomingCallTwiml({
      host: '127.0.0.1:5000',
      scheme: 'http',
      callSid: CALL,
      token: 't',
      greeting: { kind: 'mp3', path: '/g.mp3' },
    });
    expect(xml).toContain('<Play>http://127.0.0.1:5000/g.mp3</Play>');
    expect(xml).toContain('url="wss://127.0.0.1:5000/ws/twilio-media"');
    expect(xml).toContain('statusCallback="http://127.0.0.1:5000/webhook/stream_status"');
  });

  it('escapes XML in every value', () => {
    const xml = incomingCallTwiml({
      host: 'h.example.com',
      scheme: 'https',
      callSid: CALL,
      token: '"<&>',
      greeting: { kind: 'say', text: 'a<b>&' },
    });
    expect(xml).toContain('value="&quot;&lt;&amp;>"'); // '>' needs no escape in XML attributes
    expect(xml).toContain('a&lt;b&gt;&amp;');
  });

  it('falls back to a recorded voicemail that posts to handle_recording', () => {
    const xml = voicemailTwiml({ prompt: 'השאירו הודעה', maxLengthSec: 120 });
    expect(xml).toMatch(/<Say[^>]*>השאירו הודעה<\/Say><Record /);
    expect(xml).toContain('action="/webhook/handle_recording"');
    expect(xml).toContain('recordingStatusCallback="/webhook/handle_recording"');
    expect(xml).toContain('maxLength="120"');
    expect(xml).toContain('playBeep="true"');
  });

  it('leaves the prompt out when the caller already heard it, and makes URLs absolute on request', () => {
    const xml = voicemailTwiml({ prompt: null, maxLengthSec: 60, origin: 'https://h.example.com' });
    expect(xml).not.toContain('<Say');
    expect(xml).toContain('<Record action="https://h.example.com/webhook/handle_recording"');
  });

  it('answers an empty response', () => {
    expect(emptyTwiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});

describe('transfer TwiML', () => {
  const urls = transferUrls('https://h.example.com');

  it('dials one leg per agent (number, sip, client) with a whisper each, ringback until the bridge', () => {
    const xml = transferDialTwiml({
      action: urls.dialStatus(1),
      timeoutSec: 20,
      callerId: '+97231234567',
      legs: [
        { address: '+972501234567', whisperUrl: urls.whisper(1, 'dana') },
        { address: 'sip:avi@pbx.example.com', whisperUrl: urls.whisper(1, 'avi') },
        { address: 'client:noa', whisperUrl: urls.whisper(1, 'noa') },
      ],
    });
    expect(xml).toContain(
      '<Dial action="https://h.example.com/webhook/dial_status?attempt=1" method="POST" timeout="20" answerOnBridge="true" callerId="+97231234567">',
    );
    expect(xml).toContain(
      '<Number url="https://h.example.com/webhook/agent_whisper?attempt=1&amp;agent=dana" method="POST">+972501234567</Number>',
    );
    expect(xml).toContain(
      '<Sip url="https://h.example.com/webhook/agent_whisper?attempt=1&amp;agent=avi" method="POST">sip:avi@pbx.example.com</Sip>',
    );
    expect(xml).toContain(
      '<Client url="https://h.example.com/webhook/agent_whisper?attempt=1&amp;agent=noa" method="POST">noa</Client>',
    );
  });

  it('whispers with one key, asking the action even on silence, and accepts without hanging up', () => {
    const xml = whisperTwiml({ text: 'שיחה, הקישו 1', action: urls.whisperKey(0, 'dana') });
    expect(xml).toMatch(
      /<Gather numDigits="1" action="https:\/\/h\.example\.com\/webhook\/agent_whisper\?attempt=0&amp;agent=dana&amp;step=key" method="POST" timeout="\d+" actionOnEmptyResult="true"><Say [^>]*>שיחה, הקישו 1<\/Say><\/Gather><Hangup\/>/,
    );
    expect(whisperAcceptTwiml('מחברים')).not.toContain('Hangup');
    expect(whisperDeclineTwiml()).toContain('<Hangup/>');
  });
});
