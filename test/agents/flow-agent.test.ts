// The flow agent's logic, driven through its VoiceAgent interface with a CallControl that models
// Twilio's playback (audio is "heard" only when the test acknowledges it, as marks do).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { FlowAgent, type FlowServices, type FrameVad } from '../../src/agents/flow/flow-agent.js';
import { flowSchema, type FlowInput } from '../../src/agents/flow/flow-schema.js';
import { DEFAULT_FLOW } from '../../src/agents/flow/default-flow.js';
import type { CallControl, CallerFrame, Handoff } from '../../src/agents/agent.js';
import type { RouteRequest } from '../../src/routing/router.js';
import { nobody, ringOne } from '../support/routes.js';

const LOUD = 0x00; // μ-law 0x00 is near full scale
const QUIET = 0xff;

/** Loud frames are speech, quiet ones silence: the real VAD is tested on real audio elsewhere. */
function thresholdVad(): FrameVad {
  let speaking = false;
  return {
    push(frame) {
      const loud = frame[0] === LOUD;
      if (loud && !speaking) {
        speaking = true;
        return 'speech-start';
      }
      if (!loud && speaking) {
        speaking = false;
        return 'speech-end';
      }
      return undefined;
    },
  };
}

function frame(byte: number): CallerFrame {
  const bytes = Buffer.alloc(160, byte);
  return { payload: bytes.toString('base64'), timestampMs: 0, bytes: () => bytes };
}

class PlaybackControl implements CallControl {
  readonly log = pino({ level: 'silent' });
  readonly played: Buffer[] = [];
  interrupts = 0;
  hangUps: string[] = [];
  transfers: Handoff[] = [];
  voicemail: string[] = [];
  private waiters: (() => void)[] = [];
  private pending = 0;
  play(audio: Buffer | { base64: string }) {
    const bytes = Buffer.isBuffer(audio) ? audio : Buffer.from(audio.base64, 'base64');
    this.played.push(bytes);
    this.pending += bytes.length / 8;
  }
  interrupt() {
    this.interrupts += 1;
    this.pending = 0;
    this.flush();
    return { heardMs: 0 };
  }
  heardMs() {
    return 0;
  }
  pendingMs() {
    return this.pending;
  }
  whenPlayed() {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  /** Twilio acknowledged the last mark: everything sent has been heard. */
  heardAll() {
    this.pending = 0;
    this.flush();
  }
  async hangUp(reason: string) {
    this.hangUps.push(reason);
  }
  async transfer(target: Handoff) {
    this.transfers.push(target);
  }
  toVoicemail(reason: string) {
    this.voicemail.push(reason);
  }
  private flush() {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}

function services(overrides: Partial<FlowServices> = {}) {
  const prompts: string[] = [];
  const clips: { field: string; bytes: number }[] = [];
  const fields: Record<string, unknown> = {};
  const s: FlowServices = {
    // Each prompt renders to audio whose length encodes the text, so tests can tell them apart.
    prompt: async (text) => {
      prompts.push(text);
      return Buffer.alloc(800, QUIET);
    },
    createVad: thresholdVad,
    router: { route: async () => nobody('nobody-available', 'the directory has no agents') },
    saveClip: async (_callSid, field, mulaw) => {
      clips.push({ field, bytes: mulaw.length });
      return `LC${clips.length}`;
    },
    saveLeadFields: async (_callSid, f) => {
      Object.assign(fields, f);
    },
    ...overrides,
  };
  return { s, prompts, clips, fields };
}

const CALL = {
  callSid: 'CA' + '1'.repeat(32),
  streamSid: 'MZ1',
  accountSid: 'AC1',
  from: '+972501234567',
  to: null,
  customParameters: {},
};

const tick = () => new Promise((r) => setImmediate(r));

async function startFlow(input: FlowInput, overrides: Partial<FlowServices> = {}) {
  const flow = flowSchema.parse(input);
  const svc = services(overrides);
  const control = new PlaybackControl();
  const agent = new FlowAgent(flow, svc.s);
  await agent.start(CALL, control);
  await tick();
  return { agent, control, ...svc };
}

describe('the flow agent', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('walks the default Hebrew flow by keypad and voice to a lead, then hangs up politely', async () => {
    const { agent, control, prompts, clips, fields } = await startFlow(DEFAULT_FLOW);
    expect(prompts[0]).toContain('הקישו 1');
    control.heardAll();
    await tick();
    agent.onDtmf('3'); // leave details
    await tick();
    expect(prompts.at(-1)).toBe('אנא אמרו את שמכם.');
    control.heardAll();
    await tick();
    for (let i = 0; i < 20; i++) agent.onAudio(frame(LOUD)); // 400 ms of "name"
    agent.onAudio(frame(QUIET));
    await tick();
    await tick();
    // 20 speech frames plus the frame on which the VAD heard the speech end.
    expect(clips).toEqual([{ field: 'name', bytes: 160 * 21 }]);
    expect(prompts.at(-1)).toBe('במה נוכל לעזור לכם?');
    control.heardAll();
    await tick();
    for (let i = 0; i < 10; i++) agent.onAudio(frame(LOUD));
    agent.onAudio(frame(QUIET));
    await tick();
    await tick();
    control.heardAll();
    await tick();
    for (const d of '0501234567#') agent.onDtmf(d);
    await tick();
    expect(fields).toMatchObject({
      name: { clip: 'LC1' },
      need: { clip: 'LC2' },
      callbackNumber: '0501234567',
    });
    expect(prompts.at(-1)).toContain('להתראות');
    control.heardAll();
    await tick();
    expect(control.hangUps).toEqual(['flow ended']);
    await agent.close('stop');
  });

  it('stops a prompt at once when the caller speaks or presses a key (barge-in)', async () => {
    const { agent, control } = await startFlow(DEFAULT_FLOW);
    agent.onAudio(frame(LOUD));
    expect(control.interrupts).toBe(1);
    agent.onAudio(frame(QUIET));
    const { agent: agent2, control: control2, prompts } = await startFlow(DEFAULT_FLOW);
    agent2.onDtmf('1');
    expect(control2.interrupts).toBe(1);
    await tick();
    // "1" is sales, where nobody can take the call (the stub router): the caller hears why.
    expect(prompts.at(-1)).toBe('leave a message');
    await agent.close('x');
    await agent2.close('x');
  });

  it('reprompts after silence and lets the caller go after the retries', async () => {
    const flow: FlowInput = {
      start: 'menu',
      silenceSec: 5,
      maxRetries: 1,
      goodbyeNoInput: 'bye',
      steps: {
        menu: { type: 'menu', prompt: 'press one', options: { '1': 'end' } },
        end: { type: 'end', prompt: 'end' },
      },
    };
    const { control, prompts } = await startFlow(flow);
    control.heardAll();
    await tick();
    await vi.advanceTimersByTimeAsync(5000);
    expect(prompts).toEqual(['press one', 'press one']);
    control.heardAll();
    await tick();
    await vi.advanceTimersByTimeAsync(5000);
    expect(prompts.at(-1)).toBe('bye');
    expect(control.hangUps).toEqual([]);
    control.heardAll();
    await tick();
    await tick();
    expect(control.hangUps).toEqual(['no input']);
  });

  it('asks again for a number that is too short', async () => {
    const flow: FlowInput = {
      start: 'num',
      goodbyeNoInput: 'bye',
      steps: {
        num: {
          type: 'keypad',
          prompt: 'number',
          field: 'phone',
          next: 'end',
          minDigits: 3,
          maxDigits: 5,
          invalidPrompt: 'too short',
        },
        end: { type: 'end', prompt: 'end' },
      },
    };
    const { agent, control, prompts, fields } = await startFlow(flow);
    control.heardAll();
    await tick();
    agent.onDtmf('1');
    agent.onDtmf('#');
    await tick();
    expect(prompts.at(-1)).toBe('too short number');
    control.heardAll();
    await tick();
    for (const d of '12345') agent.onDtmf(d); // maxDigits ends the entry without #
    await tick();
    expect(fields).toEqual({ phone: '12345' });
    expect(prompts.at(-1)).toBe('end');
  });

  it('says the transfer prompt only when someone can be rung, then hands the route over', async () => {
    const flow: FlowInput = {
      start: 't',
      goodbyeNoInput: 'bye',
      steps: {
        t: {
          type: 'transfer',
          prompt: 'transferring',
          department: 'sales',
          topic: 'מכירות',
          fallback: 'end',
        },
        end: { type: 'end', prompt: 'end' },
      },
    };
    const route = ringOne('Dana', '+972500000000');
    const routed = await startFlow(flow, { router: { route: async () => route } });
    await tick();
    expect(routed.prompts).toEqual(['transferring']);
    expect(routed.control.transfers).toEqual([]); // not before the caller heard it
    routed.control.heardAll();
    await tick();
    expect(routed.control.transfers).toEqual([{ kind: 'ring', route, topic: 'מכירות' }]);
  });

  it('says why nobody can take the call, then goes to the step’s fallback', async () => {
    const flow: FlowInput = {
      start: 't',
      goodbyeNoInput: 'bye',
      steps: {
        t: { type: 'transfer', prompt: 'transferring', department: 'sales', fallback: 'end' },
        end: { type: 'end', prompt: 'end' },
      },
    };
    const closed = { ...nobody('after-hours', 'sales is closed now'), prompt: 'we are closed' };
    const fallback = await startFlow(flow, { router: { route: async () => closed } });
    await tick();
    expect(fallback.prompts).toEqual(['we are closed']);
    fallback.control.heardAll();
    await tick();
    expect(fallback.prompts).toEqual(['we are closed', 'end']);
    expect(fallback.control.transfers).toEqual([]);
  });

  it('without a fallback, says why and sends the caller to a voicemail that only beeps', async () => {
    const flow: FlowInput = {
      start: 't',
      goodbyeNoInput: 'bye',
      steps: { t: { type: 'transfer', prompt: 'transferring', department: 'sales' } },
    };
    const { control, prompts } = await startFlow(flow);
    await tick();
    expect(prompts).toEqual(['leave a message']);
    control.heardAll();
    await tick();
    expect(control.transfers).toEqual([{ kind: 'voicemail', reason: 'nobody-available', prompt: null }]);
  });

  it('keeps an answer cut short by a hang-up', async () => {
    const flow: FlowInput = {
      start: 'q',
      goodbyeNoInput: 'bye',
      steps: {
        q: { type: 'question', prompt: 'q', field: 'msg', next: 'end' },
        end: { type: 'end', prompt: 'end' },
      },
    };
    const { agent, control, clips } = await startFlow(flow);
    control.heardAll();
    await tick();
    for (let i = 0; i < 5; i++) agent.onAudio(frame(LOUD));
    await agent.close('caller hung up');
    expect(clips).toEqual([{ field: 'msg', bytes: 800 }]);
  });

  it('sends the caller to voicemail when a prompt cannot be rendered', async () => {
    const { control } = await startFlow(DEFAULT_FLOW, {
      prompt: async () => {
        throw new Error('tts down');
      },
    });
    expect(control.voicemail).toEqual(['prompt could not be rendered']);
  });
});

describe('the flow file', () => {
  it('accepts the default flow', () => {
    expect(flowSchema.parse(DEFAULT_FLOW).start).toBe('welcome');
  });

  it('names a step that points nowhere', () => {
    const r = flowSchema.safeParse({
      start: 'a',
      goodbyeNoInput: 'bye',
      steps: { a: { type: 'menu', prompt: 'p', options: { '1': 'missing' } } },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({
      path: ['steps', 'a', 'options', '1'],
      message: 'no step named "missing"',
    });
  });

  it('rejects unknown fields and bad keys', () => {
    expect(flowSchema.safeParse({ ...DEFAULT_FLOW, extra: 1 }).success).toBe(false);
    expect(
      flowSchema.safeParse({
        start: 'a',
        goodbyeNoInput: 'bye',
        steps: { a: { type: 'menu', prompt: 'p', options: { '12': 'a' } } },
      }).success,
    ).toBe(false);
  });
});

describe('the flow agent with a returning caller', () => {
  const flow: FlowInput = {
    start: 'welcome',
    goodbyeNoInput: 'bye',
    steps: {
      welcome: { type: 'menu', prompt: 'press 1', options: { '1': 'end' }, returning: 'back' },
      back: { type: 'transfer', prompt: 'connecting you', department: 'sales', preferAgentOf: 'last' },
      end: { type: 'end', prompt: 'end' },
    },
  };
  /** Each text renders to its own bytes, so what was played can be told apart. */
  const distinct = async (text: string) => Buffer.from(text, 'utf8');
  const returning = (firstName: string | null, openLead: boolean) => async () => ({
    contactId: 1,
    firstName,
    openLead,
  });

  it('says the personal line, then the first step, as one prompt the caller can talk over', async () => {
    const prompts: string[] = [];
    const { agent, control } = await startFlow(flow, {
      prompt: async (text) => {
        prompts.push(text);
        return distinct(text);
      },
      returningCaller: returning('דני', false),
    });
    expect(prompts).toEqual(['press 1', 'שלום דני, טוב לשמוע ממך שוב.']);
    expect(control.played.map((b) => b.toString('utf8'))).toEqual([
      'שלום דני, טוב לשמוע ממך שוב.',
      'press 1',
    ]);
    agent.onDtmf('1'); // a key during the personal line works the menu
    expect(control.interrupts).toBe(1);
    await tick();
    expect(prompts.at(-1)).toBe('end');
    await agent.close('x');
  });

  it('takes the start step’s returning branch for a caller with an open lead, asking for their last agent', async () => {
    const requests: RouteRequest[] = [];
    const dial = ringOne('Dana', '+972500000000');
    const { control, prompts } = await startFlow(flow, {
      returningCaller: returning(null, true),
      router: {
        route: async (r) => {
          requests.push(r);
          return dial;
        },
      },
    });
    expect(prompts).toEqual(['connecting you']); // no name: no personal line
    control.heardAll();
    await tick();
    await tick();
    expect(requests).toEqual([
      { callSid: CALL.callSid, from: CALL.from, department: 'sales', preferAgentOf: 'last' },
    ]);
    expect(control.transfers).toEqual([expect.objectContaining({ kind: 'ring', route: dial })]);
  });

  it('plays the menu for a named caller without an open lead, and for everyone else', async () => {
    const named = await startFlow(flow, { returningCaller: returning('Dana', false) });
    expect(named.prompts).toContain('press 1');
    expect(named.prompts).not.toContain('connecting you');
    const stranger = await startFlow(flow, { returningCaller: async () => undefined });
    expect(stranger.prompts).toEqual(['press 1']);
    expect(stranger.control.played).toHaveLength(1);
  });

  it('still plays the first step when the personal line cannot be rendered', async () => {
    const { control } = await startFlow(flow, {
      prompt: async (text) => {
        if (text.includes('Dana')) throw new Error('tts down');
        return distinct(text);
      },
      returningCaller: returning('Dana', false),
    });
    expect(control.played.map((b) => b.toString('utf8'))).toEqual(['press 1']);
    expect(control.voicemail).toEqual([]);
  });

  it('takes a returning branch only on the start step, and a greeting only with {name}', () => {
    const elsewhere = flowSchema.safeParse({
      ...flow,
      start: 'end',
    });
    expect(elsewhere.error?.issues[0]).toMatchObject({
      path: ['steps', 'welcome', 'returning'],
      message: 'only the start step may branch on returning callers',
    });
    const noName = flowSchema.safeParse({ ...flow, returningGreeting: 'Welcome back!' });
    expect(noName.error?.issues[0]).toMatchObject({ path: ['returningGreeting'] });
    expect(flowSchema.parse({ ...flow, returningGreeting: '' }).returningGreeting).toBe('');
  });
});
