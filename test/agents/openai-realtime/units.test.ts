// The pure pieces of the Realtime agent: endpoint and auth per provider, event parsing at the
// edge, the per-item audio ledger, the keypad collector, summary parsing and response sequencing.
import { describe, expect, it, vi } from 'vitest';
import { wrappedBytes } from '../../../src/ws/text-frames.js';
import { realtimeEndpoint, isRealtimeConfigured } from '../../../src/agents/openai-realtime/endpoint.js';
import { parseServerEvent } from '../../../src/agents/openai-realtime/server-events.js';
import { AudioLedger } from '../../../src/agents/openai-realtime/audio-ledger.js';
import { KeypadCollector, matchesCallerId } from '../../../src/agents/openai-realtime/keypad.js';
import { parseSummary } from '../../../src/agents/openai-realtime/summary.js';
import { ResponseSequencer } from '../../../src/agents/openai-realtime/responses.js';
import {
  appendAudio,
  createResponse,
  sessionUpdate,
} from '../../../src/agents/openai-realtime/client-events.js';

describe('realtimeEndpoint', () => {
  it('adds the model to an OpenAI URL and authenticates with a bearer token', () => {
    const e = realtimeEndpoint({
      realtimeUrl: 'wss://api.openai.com/v1/realtime',
      model: 'gpt-realtime',
      apiKey: 'sk-1',
    });
    expect(e).toEqual({
      url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      headers: { Authorization: 'Bearer sk-1' },
      provider: 'openai',
    });
  });

  it('uses the api-key header for Azure hosts and keeps a deployment already in the URL', () => {
    const e = realtimeEndpoint({
      realtimeUrl:
        'wss://contoso.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt',
      model: 'gpt-realtime',
      apiKey: 'az-key',
    });
    expect(e.headers).toEqual({ 'api-key': 'az-key' });
    expect(new URL(e.url).searchParams.get('model')).toBeNull();
    expect(e.provider).toBe('azure');
    const v1 = realtimeEndpoint({
      realtimeUrl: 'wss://x.cognitiveservices.azure.com/openai/v1/realtime',
      model: 'dep',
      apiKey: 'k',
    });
    expect(v1.headers).toEqual({ 'api-key': 'k' });
    expect(new URL(v1.url).searchParams.get('model')).toBe('dep');
  });

  it('sends no auth header without a key, and the beta header only for the beta protocol', () => {
    const e = realtimeEndpoint({
      realtimeUrl: 'ws://127.0.0.1:1/v1/realtime',
      model: 'm',
      apiKey: undefined,
      protocol: 'beta',
    });
    expect(e.headers).toEqual({ 'OpenAI-Beta': 'realtime=v1' });
    expect(isRealtimeConfigured({ apiKey: undefined, realtimeUrl: 'not a url' })).toBe(false);
  });
});

describe('parseServerEvent', () => {
  it('maps the beta audio event name onto the GA one', () => {
    const r = parseServerEvent(
      JSON.stringify({
        type: 'response.audio.delta',
        response_id: 'r',
        item_id: 'i',
        content_index: 0,
        delta: 'AAAA',
      }),
    );
    expect(r).toEqual({
      ok: true,
      event: {
        type: 'response.output_audio.delta',
        response_id: 'r',
        item_id: 'i',
        content_index: 0,
        delta: 'AAAA',
      },
    });
  });

  it('ignores events it does not act on, and rejects malformed ones with a reason', () => {
    expect(parseServerEvent('{"type":"rate_limits.updated","rate_limits":[]}')).toEqual({
      ok: false,
      ignored: true,
      type: 'rate_limits.updated',
    });
    expect(parseServerEvent('nope')).toMatchObject({ ok: false, ignored: false, reason: 'not JSON' });
    expect(parseServerEvent('[1]')).toMatchObject({ ok: false, ignored: false });
    expect(parseServerEvent('{"type":"response.output_audio.delta","delta":5}')).toMatchObject({
      ok: false,
      ignored: false,
      reason: expect.stringContaining('response.output_audio.delta'),
    });
  });
});

describe('parseServerEvent on audio deltas (checked by hand)', () => {
  it('accepts and rejects exactly what the schema does', () => {
    const base = { type: 'response.output_audio.delta', response_id: 'r', item_id: 'i', delta: 'AAAA' };
    const cases: [Record<string, unknown>, boolean][] = [
      [base, true],
      [{ ...base, content_index: 2, output_index: 0, event_id: 'e' }, true],
      [{ ...base, content_index: -1 }, false],
      [{ ...base, content_index: 1.5 }, false],
      [{ ...base, content_index: '0' }, false],
      [{ ...base, response_id: '' }, false],
      [{ ...base, item_id: 7 }, false],
      [{ ...base, delta: null }, false],
      [{ ...base, content_index: null }, false],
      [{ ...base, content_index: 2 ** 53 }, false],
      [{ ...base, delta: 'AA"}' }, false], // pasted into Twilio's media frames: base64 only
      [{ ...base, delta: 'AAA' }, false],
      [{ ...base, delta: '' }, true],
    ];
    for (const [event, ok] of cases) {
      const r = parseServerEvent(JSON.stringify(event));
      expect(r.ok, JSON.stringify(event)).toBe(ok);
      if (r.ok) {
        // The parsed object is passed on as it is (other fields, e.g. event_id, ride along).
        expect(r.event).toMatchObject({
          type: 'response.output_audio.delta',
          response_id: 'r',
          item_id: 'i',
          content_index: (event.content_index as number | undefined) ?? 0,
          delta: event.delta,
        });
      }
    }
  });
});

describe('client events', () => {
  it('builds input_audio_buffer.append as wire bytes carrying the payload untouched', () => {
    const payload = Buffer.alloc(160, 0x7f).toString('base64');
    expect(JSON.parse(wrappedBytes(appendAudio(payload)).toString('utf8'))).toEqual({
      type: 'input_audio_buffer.append',
      audio: payload,
    });
  });

  it('uses output_modalities in GA and modalities in beta for a text-only out-of-band response', () => {
    const ga = JSON.parse(createResponse({ textOnly: true, outOfBand: true }, 'ga', 'rc_1'));
    expect(ga).toEqual({
      type: 'response.create',
      event_id: 'rc_1',
      response: { output_modalities: ['text'], conversation: 'none' },
    });
    const beta = JSON.parse(createResponse({ textOnly: true }, 'beta'));
    expect(beta).toEqual({ type: 'response.create', response: { modalities: ['text'] } });
  });

  it('turns input transcription off when no model is given', () => {
    const s = JSON.parse(
      sessionUpdate(
        {
          instructions: 'x',
          voice: 'v',
          turnDetection: { type: 'semantic_vad', eagerness: 'low' },
          transcriptionModel: undefined,
          language: 'he',
          tools: [],
        },
        'ga',
      ),
    );
    expect(s.session.audio.input.transcription).toBeUndefined();
    expect(s.session.audio.input.turn_detection).toEqual({
      type: 'semantic_vad',
      eagerness: 'low',
      create_response: true,
      interrupt_response: true,
    });
  });
});

describe('AudioLedger', () => {
  it('maps the heard position to the item being heard, counting the item’s own earlier audio', () => {
    const l = new AudioLedger();
    l.record('a', 0, 0, 100, 100, 0);
    l.record('a', 0, 100, 250, 150, 0);
    l.record('b', 0, 250, 400, 150, 0);
    expect(l.truncations(180)).toEqual([
      { itemId: 'a', contentIndex: 0, audioEndMs: 180 },
      { itemId: 'b', contentIndex: 0, audioEndMs: 0 },
    ]);
    expect(l.truncations(300)).toEqual([{ itemId: 'b', contentIndex: 0, audioEndMs: 50 }]);
    expect(l.truncations(400)).toEqual([]);
  });

  it('keeps an item’s clock across an interrupt that restarts the timeline', () => {
    const l = new AudioLedger();
    l.record('a', 0, 0, 100, 100, 0);
    l.reset();
    l.record('a', 0, 0, 50, 50, 0); // e.g. audio sent after a cleared stretch
    expect(l.truncations(20)).toEqual([{ itemId: 'a', contentIndex: 0, audioEndMs: 120 }]);
  });

  it('counts each item’s ms across item switches and back, and reports when each began', () => {
    const l = new AudioLedger();
    l.record('a', 0, 0, 40, 40, 1000);
    l.record('a', 0, 40, 80, 40, 1020);
    expect(l.item('a')).toEqual({ ms: 80, firstAt: 1000 }); // read while 'a' is current
    l.record('b', 0, 80, 100, 20, 1100);
    l.record('a', 1, 100, 130, 30, 1200); // back to 'a' (another content part)
    expect(l.item('a')).toEqual({ ms: 110, firstAt: 1000 });
    expect(l.item('b')).toEqual({ ms: 20, firstAt: 1100 });
    expect(l.truncations(110)).toEqual([{ itemId: 'a', contentIndex: 1, audioEndMs: 90 }]);
    l.clear();
    expect(l.item('a')).toBeUndefined();
    l.record('a', 0, 0, 10, 10, 5);
    expect(l.item('a')).toEqual({ ms: 10, firstAt: 5 });
  });
});

describe('KeypadCollector', () => {
  it('collects digits to #, starts over on *, ignores A–D, and stops at the most digits', () => {
    const k = new KeypadCollector();
    const done = vi.fn();
    k.start(4, 1000, done);
    for (const d of '12*9A87') k.feed(d);
    expect(done).not.toHaveBeenCalled();
    k.feed('6');
    expect(done).toHaveBeenCalledWith({ digits: '9876', complete: true, reason: 'max_digits' });
    expect(k.active).toBe(false);
    expect(k.feed('1')).toBe(false);
  });

  it('compares typed digits with the caller id on national numbers', () => {
    expect(matchesCallerId('0501234567', '+972501234567')).toBe(true);
    expect(matchesCallerId('0501234568', '+972501234567')).toBe(false);
    expect(matchesCallerId('123', '+972501234567')).toBeUndefined();
    expect(matchesCallerId('0501234567', null)).toBeUndefined();
  });
});

describe('parseSummary', () => {
  it('reads the JSON answer, fenced or not, and keeps only lead fields with text', () => {
    expect(parseSummary('```json\n{"summary":"s","lead":{"name":"n","area":" ","x":3}}\n```')).toEqual({
      summary: 's',
      lead: { name: 'n' },
    });
    expect(parseSummary('{"summary":"s","lead":null}')).toEqual({ summary: 's', lead: undefined });
  });

  it('keeps plain text as the summary when the model did not answer in JSON', () => {
    expect(parseSummary('The caller wants a flat.')).toEqual({
      summary: 'The caller wants a flat.',
      lead: undefined,
    });
    expect(parseSummary('   ')).toBeUndefined();
  });
});

describe('ResponseSequencer', () => {
  it('holds a request while a response is active and sends it when that one is done', () => {
    const sent: string[] = [];
    const s = new ResponseSequencer((_r, id) => (sent.push(id), true));
    s.onCreated('resp_vad');
    s.request();
    expect(sent).toEqual([]);
    s.onDone('resp_vad');
    expect(sent).toEqual(['rc_1']);
  });

  it('retries a request refused because another response was active', () => {
    const sent: string[] = [];
    const s = new ResponseSequencer((_r, id) => (sent.push(id), true));
    s.request();
    expect(s.onRequestError('rc_1', true)).toBe(true);
    expect(sent).toEqual(['rc_1', 'rc_2']);
    expect(s.onRequestError('rc_other', false)).toBe(false);
  });

  it('asks for one turn after a response whose tool calls have all answered', async () => {
    const sent: string[] = [];
    const s = new ResponseSequencer((_r, id) => (sent.push(id), true));
    s.onCreated('r1');
    s.callStarted('r1');
    s.callStarted('r1');
    s.onDone('r1');
    s.callFinished('r1', true);
    expect(sent).toEqual([]);
    s.callFinished('r1', false);
    expect(sent).toEqual(['rc_1']);
    let idle = false;
    void s.whenIdle().then(() => (idle = true));
    s.onCreated('r2');
    s.onDone('r2');
    await Promise.resolve();
    expect(idle).toBe(true);
  });
});
