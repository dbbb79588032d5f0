// The dashboard's logic that needs no browser: both dictionaries complete and really translated,
// every Twilio code the emulator raises explained, the live-call reducer, the capability check,
// the timeline order and tag parsing.
import { describe, expect, it } from 'vitest';
import { he } from '../../web/src/i18n/he.js';
import { en } from '../../web/src/i18n/en.js';
import { TWILIO_ERROR_CODES, twilioSeverity } from '../../web/src/twilio-errors.js';
import { TWILIO_CODES, severityOf, type TwilioCode } from '../../src/emulator/codes.js';
import { applyLiveEvent, pruneEnded, seedLive, type LiveState } from '../../web/src/api/live.js';
import { capabilitiesOf } from '../../web/src/api/capabilities.js';
import { timelineEntries } from '../../web/src/components/timeline-entries.js';
import { parseTags } from '../../web/src/format/tags.js';
import { transferBody } from '../../web/src/api/transfer-target.js';
import { dependencyRows } from '../../web/src/api/dependency-rows.js';
import type { SettingsView } from '../../web/src/api/types.js';
import type { CallView, LiveEvent, LiveEventBody } from '../../web/src/api/types.js';

/** Every leaf of a dictionary as path → value (functions called with sample arguments). */
function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') out.set(prefix, value);
  else if (typeof value === 'function') {
    const fn = value as (...args: unknown[]) => unknown;
    out.set(prefix, String(fn(...Array.from({ length: fn.length }, (_, i) => (i === 0 ? 3 : 'x')))));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      for (const [p, s] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, s);
  }
  return out;
}

const HEBREW = /[\u0590-\u05FF]/;

describe('the dictionaries', () => {
  const heLeaves = leaves(he);
  const enLeaves = leaves(en);

  it('have the same keys in Hebrew and English', () => {
    expect([...enLeaves.keys()].sort()).toEqual([...heLeaves.keys()].sort());
    expect(heLeaves.size).toBeGreaterThan(250);
  });

  it('say everything in Hebrew in he and nothing in Hebrew in en (but the switch back)', () => {
    // Names and codes that read the same in both languages.
    const same = new Set([
      'app.name',
      'settings.deps.twilio',
      'settings.deps.redis',
      'shell.switchLanguage',
      'shell.otherLanguage',
    ]);
    const untranslated = [...heLeaves].filter(([k, v]) => !same.has(k) && !HEBREW.test(v)).map(([k]) => k);
    expect(untranslated).toEqual([]);
    const hebrewInEnglish = [...enLeaves]
      .filter(([k, v]) => !['shell.switchLanguage', 'shell.otherLanguage'].includes(k) && HEBREW.test(v))
      .map(([k]) => k);
    expect(hebrewInEnglish).toEqual([]);
    expect(en.shell.otherLanguage).toBe('עברית');
    expect(he.shell.otherLanguage).toBe('English');
  });
});

describe('the Twilio error table', () => {
  it('explains every code the emulator can raise, with what it means and the fix in both languages', () => {
    const emulated = Object.keys(TWILIO_CODES).map(Number);
    for (const code of emulated) expect(TWILIO_ERROR_CODES, String(code)).toContain(code);
    for (const code of TWILIO_ERROR_CODES) {
      for (const dict of [he, en]) {
        const entry = dict.twilio[code];
        expect(entry.what.length, `${code}`).toBeGreaterThan(20);
        expect(entry.fix.length, `${code}`).toBeGreaterThan(20);
      }
      expect(HEBREW.test(he.twilio[code].fix), `${code}`).toBe(true);
      expect(he.twilio[code].what).not.toBe(en.twilio[code].what);
    }
  });

  it('grades each code as Twilio does', () => {
    for (const code of Object.keys(TWILIO_CODES).map(Number) as TwilioCode[]) {
      expect(twilioSeverity(code), String(code)).toBe(severityOf(code));
    }
    expect(twilioSeverity(99999)).toBe('error');
  });
});

const SID = 'CA' + '1'.repeat(32);
const at = (s: number) => new Date(Date.UTC(2026, 11, 4, 12, 0, s)).toISOString();
const ev = (body: LiveEventBody, s: number): LiveEvent => ({ ...body, callSid: SID, at: at(s) }) as LiveEvent;

describe('the live-call reducer', () => {
  it('follows a call from start through words to its end', () => {
    let state: LiveState = new Map();
    state = applyLiveEvent(state, ev({ type: 'call.started', from: '+972501234567', to: '+97231234567' }, 0));
    state = applyLiveEvent(state, ev({ type: 'stream.started', streamSid: 'MZ1' }, 1));
    state = applyLiveEvent(state, ev({ type: 'transcript', role: 'agent', text: 'שלום' }, 2));
    state = applyLiveEvent(state, ev({ type: 'transcript', role: 'caller', text: 'היי' }, 3));
    let call = state.get(SID);
    expect(call).toMatchObject({ from: '+972501234567', streaming: true, speaking: 'caller', endedAt: null });
    expect(call?.transcript.map((t) => t.text)).toEqual(['שלום', 'היי']);
    state = applyLiveEvent(
      state,
      ev({ type: 'stream.stopped', streamSid: 'MZ1', closeCode: 1000, reason: 'stop' }, 4),
    );
    state = applyLiveEvent(state, ev({ type: 'call.status', status: 'completed' }, 5));
    call = state.get(SID);
    expect(call).toMatchObject({
      streaming: false,
      speaking: null,
      status: 'completed',
      endedAt: at(5),
      streamProblem: null,
    });
    // Kept a moment, then dropped.
    expect(pruneEnded(state, Date.parse(at(6)), 8000).has(SID)).toBe(true);
    expect(pruneEnded(state, Date.parse(at(20)), 8000).has(SID)).toBe(false);
  });

  it('marks a stream that stopped abnormally', () => {
    let state: LiveState = applyLiveEvent(new Map(), ev({ type: 'call.started', from: null, to: null }, 0));
    state = applyLiveEvent(
      state,
      ev({ type: 'stream.stopped', streamSid: 'MZ1', closeCode: 1011, reason: 'agent failed' }, 1),
    );
    expect(state.get(SID)?.streamProblem).toEqual({ closeCode: 1011, reason: 'agent failed' });
  });

  it('gathers the answers saved, the Twilio codes reported once each, and the end', () => {
    let state: LiveState = applyLiveEvent(new Map(), ev({ type: 'call.started', from: null, to: null }, 0));
    state = applyLiveEvent(state, ev({ type: 'lead.saved', leadId: 1, fields: { name: 'דני' } }, 1));
    state = applyLiveEvent(
      state,
      ev({ type: 'lead.saved', leadId: 1, fields: { callbackNumber: '0501234567' } }, 2),
    );
    const error = {
      type: 'call.timeline',
      kind: 'stream-error',
      name: 'stream-error',
      detail: null,
    } as const;
    state = applyLiveEvent(state, ev({ ...error, twilioCode: 31920 }, 3));
    state = applyLiveEvent(state, ev({ ...error, twilioCode: 31920 }, 4));
    state = applyLiveEvent(state, ev({ ...error, twilioCode: null }, 4));
    state = applyLiveEvent(state, ev({ type: 'call.ended' }, 5));
    expect(state.get(SID)).toMatchObject({
      answers: { name: 'דני', callbackNumber: '0501234567' },
      twilioCodes: [31920],
      endedAt: at(5),
    });
  });

  it('ignores events of calls it never saw start, and the end of one it never saw', () => {
    const empty: LiveState = new Map();
    expect(applyLiveEvent(empty, ev({ type: 'transcript', role: 'caller', text: 'x' }, 0))).toBe(empty);
    expect(applyLiveEvent(empty, ev({ type: 'call.status', status: 'completed' }, 0))).toBe(empty);
  });

  it('merges the listed live calls with what events already told', () => {
    let state: LiveState = applyLiveEvent(
      new Map(),
      ev({ type: 'call.started', from: '+972501234567', to: null }, 0),
    );
    state = applyLiveEvent(state, ev({ type: 'transcript', role: 'agent', text: 'שלום' }, 1));
    const listed = {
      callSid: SID,
      from: '+972501234567',
      to: '+97231234567',
      contactName: 'דני',
      agentId: 'dana',
      startedAt: at(0),
      status: 'in-progress',
    } as CallView;
    state = seedLive(state, [listed]);
    expect(state.get(SID)).toMatchObject({ contactName: 'דני', agentId: 'dana', to: '+97231234567' });
    expect(state.get(SID)?.transcript).toHaveLength(1);
  });
});

describe('capabilities from the OpenAPI document', () => {
  it('matches routes whatever the parameter names, with or without the /api/v1 prefix', () => {
    const caps = capabilitiesOf({
      paths: {
        '/api/v1/calls/{callSid}/hangup': { post: {} },
        '/agents': { get: {} },
      },
    });
    expect(caps.has('post', '/calls/:callSid/hangup')).toBe(true);
    expect(caps.has('post', '/calls/:sid/hangup')).toBe(true);
    expect(caps.has('get', '/calls/:callSid/hangup')).toBe(false);
    expect(caps.has('post', '/calls/:callSid/transfer')).toBe(false);
    expect(caps.has('get', '/agents')).toBe(true);
  });
});

describe('the call timeline', () => {
  it('puts events and stream opens and closes in time order', () => {
    const entries = timelineEntries(
      [
        { id: 1, kind: 'status', name: 'ringing', twilioCode: null, detail: null, at: at(0) },
        { id: 2, kind: 'stream-error', name: 'stream-error', twilioCode: 31920, detail: null, at: at(9) },
      ],
      [
        {
          streamSid: 'MZ1',
          startedAt: at(2),
          endedAt: at(8),
          framesIn: 1,
          framesOut: 1,
          marksOut: 0,
          marksAcked: 0,
          badFrames: 0,
          closeCode: 1000,
          closeReason: null,
        },
      ],
    );
    expect(entries.map((e) => e.kind)).toEqual(['event', 'stream-open', 'stream-close', 'event']);
  });
});

describe('tags', () => {
  it('splits on commas (Latin or Arabic), trims and drops blanks and repeats', () => {
    expect(parseTags('vip, מתעניין,, vip ,')).toEqual(['vip', 'מתעניין']);
    expect(parseTags('  ')).toEqual([]);
  });
});

describe('transfer targets', () => {
  it('turns the select value into the body POST /transfer takes', () => {
    expect(transferBody('department:sales')).toEqual({ department: 'sales' });
    expect(transferBody('agent:dana')).toEqual({ agentId: 'dana' });
    for (const bad of ['', 'department:', 'sales', 'number:+972501234567']) {
      expect(transferBody(bad)).toBeUndefined();
    }
  });
});

describe('the Settings dependency rows', () => {
  const settings = {
    ready: true,
    dependencies: {
      store: { state: 'ok', kind: 'postgresql' },
      redis: { state: 'error' },
      agent: { state: 'ok', kind: 'openai-realtime', model: 'gpt-realtime', endpointHost: 'api.openai.com' },
      twilioSigning: { state: 'ok', source: 'env' },
      twilioRest: { state: 'unconfigured', apiHost: 'api.twilio.com' },
    },
    transcription: { enabled: true, analysis: false, host: 'stt.example.test' },
  } as unknown as SettingsView;

  it('shows every dependency of GET /settings with what it is', () => {
    expect(dependencyRows(settings, { db: 'error' })).toEqual([
      { key: 'store', state: 'ok', detail: 'postgresql' },
      { key: 'redis', state: 'error' },
      { key: 'agent', state: 'ok', detail: 'openai-realtime · gpt-realtime · api.openai.com' },
      { key: 'twilioSigning', state: 'ok' },
      { key: 'twilioRest', state: 'unconfigured', detail: 'api.twilio.com' },
      { key: 'transcription', state: 'ok', detail: 'stt.example.test' },
    ]);
  });

  it('falls back to /readyz for users who may not read the settings', () => {
    expect(dependencyRows(undefined, undefined)).toEqual([]);
    expect(
      dependencyRows(undefined, {
        db: 'ok',
        redis: 'disabled',
        agent: 'ok',
        agentKind: 'flow',
        twilio: 'unconfigured',
      }),
    ).toEqual([
      { key: 'store', state: 'ok' },
      { key: 'redis', state: 'disabled' },
      { key: 'agent', state: 'ok', detail: 'flow' },
      { key: 'twilioSigning', state: 'unconfigured' },
    ]);
  });
});
