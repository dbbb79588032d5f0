// The pure parts of <Dial> and <Gather>: how Twilio reads their attributes and nouns, which keys a
// <Gather> keeps, and how a scripted agent phone rings.
import { describe, expect, it } from 'vitest';
import { parseTwiml, type Verb } from '../../src/emulator/index.js';
import { phoneFor, ringing } from '../../src/emulator/agent-phones.js';
import { collectDigits } from '../../src/emulator/gather.js';

function only(xml: string): Verb {
  const parsed = parseTwiml(`<Response>${xml}</Response>`);
  if (!parsed.ok) throw new Error(parsed.reason);
  expect(parsed.warnings).toEqual([]);
  return parsed.verbs[0]!;
}

describe('parsing <Dial>', () => {
  it('reads nouns with their whisper url and method, plain text as a number, and Twilio’s defaults', () => {
    expect(
      only(
        '<Dial action="/s" answerOnBridge="true" callerId="+97233760000" sequential="true">' +
          '<Number url="/w" method="GET">+972501234567</Number><Sip url="/w">sip:dana@pbx.example.com</Sip>' +
          '<Client>dana</Client></Dial>',
      ),
    ).toEqual({
      verb: 'Dial',
      action: '/s',
      method: 'POST',
      timeoutSec: 30,
      callerId: '+97233760000',
      answerOnBridge: true,
      sequential: true,
      targets: [
        { kind: 'Number', value: '+972501234567', url: '/w', method: 'GET' },
        { kind: 'Sip', value: 'sip:dana@pbx.example.com', url: '/w', method: 'POST' },
        { kind: 'Client', value: 'dana' },
      ],
    });
    expect(only('<Dial>+972501234567</Dial>')).toMatchObject({
      answerOnBridge: false,
      sequential: false,
      targets: [{ kind: 'Number', value: '+972501234567' }],
    });
  });

  it('keeps the timeout inside Twilio’s 5–600 s', () => {
    expect(only('<Dial timeout="2">1</Dial>')).toMatchObject({ timeoutSec: 5 });
    expect(only('<Dial timeout="900">1</Dial>')).toMatchObject({ timeoutSec: 600 });
    expect(only('<Dial timeout="20">1</Dial>')).toMatchObject({ timeoutSec: 20 });
  });

  it('dials at most ten nouns and warns about the rest', () => {
    const numbers = Array.from({ length: 12 }, (_, i) => `<Number>+97250000000${i}</Number>`).join('');
    const parsed = parseTwiml(`<Response><Dial>${numbers}</Dial></Response>`);
    expect(parsed.ok && parsed.verbs[0]?.verb === 'Dial' && parsed.verbs[0].targets).toHaveLength(10);
    expect(parsed.ok && parsed.warnings).toEqual([expect.stringMatching(/at most 10 nouns; the other 2/)]);
  });
});

describe('parsing <Gather>', () => {
  it('reads its attributes and nested prompts with Twilio’s defaults', () => {
    expect(only('<Gather><Say>x</Say><Pause length="2"/><Play>/a.mp3</Play></Gather>')).toEqual({
      verb: 'Gather',
      action: undefined,
      method: 'POST',
      timeoutSec: 5,
      finishOnKey: '#',
      actionOnEmptyResult: false,
      prompts: [
        { verb: 'Say', text: 'x', language: undefined, voice: undefined, loop: 1 },
        { verb: 'Pause', lengthSec: 2 },
        { verb: 'Play', url: '/a.mp3', loop: 1, digits: undefined },
      ],
    });
    expect(
      only('<Gather numDigits="1" timeout="3" finishOnKey="" actionOnEmptyResult="true" action="/k"/>'),
    ).toMatchObject({
      numDigits: 1,
      timeoutSec: 3,
      finishOnKey: '',
      actionOnEmptyResult: true,
      action: '/k',
    });
  });

  it('warns about a verb <Gather> may not nest', () => {
    const parsed = parseTwiml('<Response><Gather><Dial>1</Dial><Say>x</Say></Gather></Response>');
    expect(parsed.ok && parsed.warnings).toEqual(['<Dial> is not allowed inside <Gather>']);
  });
});

describe('collectDigits', () => {
  it.each([
    ['1', { numDigits: 1, finishOnKey: '#' }, '1', true],
    ['123', { numDigits: 2, finishOnKey: '#' }, '12', true],
    ['12#3', { finishOnKey: '#' }, '12', true],
    ['#', { finishOnKey: '#' }, '', true],
    ['12', { finishOnKey: '#' }, '12', false],
    ['1#', { finishOnKey: '' }, '1#', false],
    ['', { numDigits: 1, finishOnKey: '#' }, '', false],
  ])('keys %j with %j → %j (complete %s)', (keys, verb, digits, complete) => {
    expect(collectDigits(keys, verb)).toEqual({ digits, complete });
  });
});

describe('agent phones', () => {
  const number = (value: string) => ({ kind: 'Number', value });

  it('finds a number’s script (a client by identity or client:…), else uses the call-wide outcome', () => {
    const dial = {
      outcome: 'busy' as const,
      durationSec: 4,
      agents: { '+972501234567': 'decline' as const, 'client:dana': 'silent' as const },
    };
    expect(phoneFor(dial, number('+972 50 123 4567'))).toEqual({
      behaviour: 'decline',
      answerAfterMs: 1000,
      durationSec: 4,
      digits: '2',
    });
    expect(phoneFor(dial, { kind: 'Client', value: 'dana' })).toMatchObject({
      behaviour: 'silent',
      digits: '',
    });
    expect(phoneFor(dial, number('+972509999999'))).toMatchObject({ behaviour: 'busy' });
    expect(phoneFor(undefined, number('+972509999999'))).toMatchObject({
      behaviour: 'accept',
      digits: '1',
      durationSec: 1,
    });
    expect(
      phoneFor(
        { agents: { '+1': { behaviour: 'accept', digits: '9', durationSec: 7, answerAfterMs: 50 } } },
        number('+1'),
      ),
    ).toEqual({ behaviour: 'accept', digits: '9', durationSec: 7, answerAfterMs: 50 });
  });

  it('rings as the behaviour says, and a phone that would answer after the timeout is a no-answer', () => {
    const phone = (behaviour: 'accept' | 'busy' | 'failed' | 'no-answer', answerAfterMs = 1000) => ({
      behaviour,
      answerAfterMs,
      durationSec: 1,
      digits: '',
    });
    expect(ringing(phone('accept'), 20_000)).toEqual({ answers: true, ms: 1000 });
    expect(ringing(phone('accept', 25_000), 20_000)).toEqual({
      answers: false,
      ms: 20_000,
      outcome: 'no-answer',
    });
    expect(ringing(phone('no-answer'), 20_000)).toEqual({ answers: false, ms: 20_000, outcome: 'no-answer' });
    expect(ringing(phone('busy'), 20_000)).toEqual({ answers: false, ms: 500, outcome: 'busy' });
    expect(ringing(phone('failed'), 20_000)).toEqual({ answers: false, ms: 0, outcome: 'failed' });
  });
});
