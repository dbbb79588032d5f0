// The offline call-flow agent: walks a validated Flow for one call. Prompts are played with
// marks; caller speech (VAD) or a key press during a prompt interrupts it at once (barge-in);
// answers are recorded as clips; silence reprompts, then a polite goodbye and a REST hang-up.
// A returning caller hears a personal line first, and may start on the flow's `returning` step.
import type { Logger } from 'pino';
import type { CallControl, CallerFrame, CallInfo, VoiceAgent } from '../agent.js';
import type { Router } from '../../routing/router.js';
import type { Flow, FlowStep } from './flow-schema.js';
import type { ReturningCaller } from '../returning-caller.js';
import { returningLine } from './load-flow.js';

/** A voice-activity detector fed 20 ms μ-law frames. */
export interface FrameVad {
  push(mulaw: Buffer): 'speech-start' | 'speech-end' | undefined;
}

/** What the flow needs from the outside world; composed in flow-factory.ts, faked nowhere. */
export interface FlowServices {
  /** μ-law 8 kHz audio of a prompt (rendered offline, cached). */
  prompt(text: string): Promise<Buffer>;
  createVad(): FrameVad;
  router: Router;
  /** Stores an answer clip (μ-law 8 kHz) and returns its recording id. */
  saveClip(callSid: string, field: string, mulaw: Buffer): Promise<string>;
  /** Merges collected fields into the call's lead. */
  saveLeadFields(callSid: string, fields: Record<string, unknown>): Promise<void>;
  /** The caller, if returning (bounded: never fails, never waits long); absent: nobody is. */
  returningCaller?(call: CallInfo): Promise<ReturningCaller | undefined>;
}

/** Caller audio kept from before the VAD fired, so an answer clip does not lose its first syllable. */
const PRE_ROLL_FRAMES = 15;
type Phase = 'idle' | 'prompting' | 'waiting' | 'recording' | 'leaving';

export class FlowAgent implements VoiceAgent {
  private control: CallControl | undefined;
  private call: CallInfo | undefined;
  private log: Logger | undefined;
  private readonly vad: FrameVad;
  private stepId: string;
  private phase: Phase = 'idle';
  /** Bumped whenever the flow moves on: continuations of an older epoch are dropped. */
  private epoch = 0;
  private retries = 0;
  private digits = '';
  private clip: Buffer[] = [];
  private preRoll: Buffer[] = [];
  private silenceTimer: NodeJS.Timeout | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly flow: Flow,
    private readonly services: FlowServices,
  ) {
    this.vad = services.createVad();
    this.stepId = flow.start;
  }

  async start(call: CallInfo, control: CallControl): Promise<void> {
    this.call = call;
    this.control = control;
    this.log = control.log.child({ agent: 'flow', flow: this.flow.name });
    // Handed over mid-call by a draining instance: the step it was at, asked again.
    const resumeAt = call.resume?.step;
    if (resumeAt !== undefined && Object.hasOwn(this.flow.steps, resumeAt)) {
      this.log.info({ step: resumeAt }, 'FLOW_RESUMED');
      return this.enter(resumeAt);
    }
    const returning = await this.services.returningCaller?.(call);
    if (this.closed) return;
    const first = this.flow.steps[this.flow.start];
    const branch = returning?.openLead && first?.type === 'menu' ? first.returning : undefined;
    const line = returningLine(this.flow, returning?.firstName ?? null);
    if (returning) {
      const detail = { named: line !== undefined, openLead: returning.openLead, branch: branch ?? null };
      this.log.info(detail, 'FLOW_RETURNING_CALLER');
    }
    this.enter(branch ?? this.flow.start, line);
  }

  onAudio(frame: CallerFrame): void {
    if (this.closed || !this.control) return;
    const bytes = frame.bytes();
    const event = this.vad.push(bytes);
    if (this.phase === 'recording') this.clip.push(bytes);
    else {
      this.preRoll.push(bytes);
      if (this.preRoll.length > PRE_ROLL_FRAMES) this.preRoll.shift();
    }
    if (event === 'speech-start') this.onSpeechStart();
    else if (event === 'speech-end') this.onSpeechEnd();
  }

  onDtmf(digit: string): void {
    if (this.closed || !this.control) return;
    const step = this.step();
    // 'idle': the first step has not begun (the returning-caller lookup); nothing was offered yet.
    if (this.phase === 'leaving' || this.phase === 'idle') return;
    if (this.phase === 'prompting') this.bargeIn('dtmf');
    this.clearSilence();
    if (step.type === 'menu') {
      const next = step.options[digit];
      if (next) return this.enter(next);
      this.log?.info({ digit }, 'FLOW_MENU_UNKNOWN_KEY');
      return this.retry();
    }
    if (step.type === 'keypad') {
      if (digit !== '#') this.digits += digit;
      if (digit === '#' || this.digits.length >= step.maxDigits) return this.finishKeypad(step);
      return this.armSilence();
    }
    if (step.type === 'question' && digit === '#' && this.phase === 'recording')
      return void this.finishAnswer(step);
    this.armSilence();
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.epoch += 1;
    this.clearSilence();
    clearTimeout(this.answerTimer);
    this.log?.info({ reason, step: this.stepId }, 'FLOW_CLOSED');
    // An answer cut short by a hang-up is still the caller's words: keep it.
    const step = this.step();
    if (this.phase === 'recording' && step.type === 'question') await this.saveAnswer(step, this.takeClip());
  }

  resumeState(): { agent: string; step: string } {
    return { agent: 'flow', step: this.stepId };
  }

  private step(): FlowStep {
    const step = this.flow.steps[this.stepId];
    if (!step) throw new Error(`flow has no step ${this.stepId}`); // prevented by flowSchema
    return step;
  }

  /** `lead`: a line said just before the step's prompt (the returning caller's welcome). */
  private enter(stepId: string, lead?: string): void {
    if (this.closed) return;
    this.stepId = stepId;
    this.retries = 0;
    this.log?.info({ step: stepId }, 'FLOW_STEP');
    const step = this.step();
    // A transfer asks the router first: its prompt is said only when someone can be rung.
    if (step.type === 'transfer') return void this.transfer(step);
    this.runStep(step.prompt, lead);
  }

  private runStep(text: string, lead?: string): void {
    const step = this.step();
    this.digits = '';
    this.clearSilence();
    // Goodbyes play to the end: the caller is leaving either way.
    const interruptible = step.type !== 'end';
    void this.say(text, interruptible, lead).then((epoch) => {
      if (epoch === undefined) return;
      if (step.type === 'end') return void this.leave('flow ended');
      this.phase = 'waiting';
      this.armSilence();
      return undefined;
    });
  }

  /** Plays a prompt; resolves with the epoch if it played to the end, undefined if overtaken. */
  private async say(text: string, interruptible = true, lead?: string): Promise<number | undefined> {
    const epoch = ++this.epoch;
    const phase: Phase = interruptible ? 'prompting' : 'leaving';
    this.phase = phase;
    let audio: Buffer;
    let leadAudio: Buffer | undefined;
    try {
      [audio, leadAudio] = await Promise.all([
        this.services.prompt(text),
        lead === undefined ? undefined : this.personalLine(lead),
      ]);
    } catch (err) {
      this.log?.error({ err }, 'FLOW_PROMPT_FAILED: caller goes to voicemail');
      this.control?.toVoicemail('prompt could not be rendered');
      return undefined;
    }
    if (epoch !== this.epoch || this.closed || !this.control) return undefined;
    if (leadAudio) this.control.play(leadAudio);
    this.control.play(audio);
    await this.control.whenPlayed();
    return epoch === this.epoch && !this.closed && this.phase === phase ? epoch : undefined;
  }

  /** The returning caller's line, rendered on the fly (cached per name); without it the step still plays. */
  private personalLine(text: string): Promise<Buffer | undefined> {
    return this.services.prompt(text).catch((err: unknown) => {
      this.log?.warn({ err }, 'FLOW_GREETING_FAILED: the first step plays without the personal line');
      return undefined;
    });
  }

  private bargeIn(by: 'speech' | 'dtmf'): void {
    if (!this.control) return;
    const { heardMs } = this.control.interrupt();
    this.epoch += 1;
    this.phase = 'waiting';
    this.log?.info({ by, heardMs, step: this.stepId }, 'FLOW_BARGE_IN');
  }

  private onSpeechStart(): void {
    if (this.phase === 'leaving') return;
    if (this.phase === 'prompting') this.bargeIn('speech');
    this.clearSilence();
    const step = this.step();
    if (step.type === 'question' && this.phase === 'waiting') {
      this.phase = 'recording';
      this.clip = this.preRoll;
      this.preRoll = [];
      const epoch = this.epoch;
      this.answerTimer = setTimeout(() => {
        if (epoch === this.epoch && this.phase === 'recording') void this.finishAnswer(step);
      }, step.maxSec * 1000);
    }
  }

  private onSpeechEnd(): void {
    this.log?.info({ step: this.stepId, phase: this.phase }, 'FLOW_SPEECH_END');
    const step = this.step();
    if (this.phase === 'recording' && step.type === 'question') return void this.finishAnswer(step);
    // Speech where a key is expected: there is no speech recogniser offline, so ask again.
    if (this.phase === 'waiting' && (step.type === 'menu' || step.type === 'keypad')) this.armSilence();
  }

  private async finishAnswer(step: Extract<FlowStep, { type: 'question' }>): Promise<void> {
    clearTimeout(this.answerTimer);
    const clip = this.takeClip();
    this.phase = 'waiting';
    await this.saveAnswer(step, clip);
    this.enter(step.next);
  }

  private takeClip(): Buffer {
    const clip = Buffer.concat(this.clip);
    this.clip = [];
    return clip;
  }

  private async saveAnswer(step: Extract<FlowStep, { type: 'question' }>, clip: Buffer): Promise<void> {
    const callSid = this.call?.callSid;
    if (!callSid || clip.length === 0) return;
    try {
      const recordingId = await this.services.saveClip(callSid, step.field, clip);
      await this.services.saveLeadFields(callSid, {
        [step.field]: { clip: recordingId, durationMs: clip.length / 8 },
      });
      this.log?.info({ field: step.field, ms: clip.length / 8, recordingId }, 'FLOW_ANSWER_SAVED');
    } catch (err) {
      this.log?.error({ err, field: step.field }, 'FLOW_ANSWER_NOT_SAVED');
    }
  }

  private finishKeypad(step: Extract<FlowStep, { type: 'keypad' }>): void {
    const digits = this.digits;
    this.digits = '';
    if (digits.length < step.minDigits) {
      this.log?.info({ length: digits.length }, 'FLOW_KEYPAD_TOO_SHORT');
      return this.retry(step.invalidPrompt);
    }
    const callSid = this.call?.callSid;
    if (callSid) {
      this.services
        .saveLeadFields(callSid, { [step.field]: digits })
        .catch((err: unknown) => this.log?.error({ err, field: step.field }, 'FLOW_FIELD_NOT_SAVED'));
    }
    this.enter(step.next);
  }

  /**
   * Routes the step's department. Someone to ring: the step's prompt, then the transfer. Nobody:
   * why (the department's after-hours or no-answer prompt), then the step's fallback, or
   * voicemail. Both prompts play to the end: the caller is leaving this step either way.
   */
  private async transfer(step: Extract<FlowStep, { type: 'transfer' }>): Promise<void> {
    if (!this.call || !this.control) return;
    this.phase = 'leaving';
    this.clearSilence();
    const route = await this.services.router
      .route({
        callSid: this.call.callSid,
        from: this.call.from,
        department: step.department,
        ...(step.preferAgentOf ? { preferAgentOf: step.preferAgentOf } : {}),
      })
      .catch((err: unknown) => {
        this.log?.error({ err }, 'FLOW_ROUTING_FAILED');
        return undefined;
      });
    if (this.closed) return;
    if (!route) return this.control.toVoicemail('routing failed');
    if (route.kind === 'ring') {
      if ((await this.say(step.prompt, false)) === undefined) return;
      return this.control.transfer({ kind: 'ring', route, topic: step.topic ?? step.department });
    }
    this.log?.info({ department: step.department, reason: route.reason }, 'FLOW_TRANSFER_NONE');
    if ((await this.say(route.prompt, false)) === undefined) return;
    if (step.fallback) {
      this.log?.info({ department: step.department, reason: route.reason }, 'FLOW_TRANSFER_FALLBACK');
      return this.enter(step.fallback);
    }
    // The caller has just heard why: the voicemail only beeps.
    return this.control.transfer({ kind: 'voicemail', reason: route.reason, prompt: null });
  }

  private retry(prefix?: string): void {
    const step = this.step();
    this.retries += 1;
    if (this.retries > this.flow.maxRetries) {
      if (step.type === 'menu' && step.noInput) return this.enter(step.noInput);
      if (step.type === 'question' || step.type === 'keypad') return this.enter(step.next);
      return void this.goodbye();
    }
    const lead = prefix ?? this.flow.repromptPrefix;
    this.runStep(lead ? `${lead} ${step.prompt}` : step.prompt);
  }

  private async goodbye(): Promise<void> {
    const played = await this.say(this.flow.goodbyeNoInput, false);
    if (played !== undefined) await this.leave('no input');
  }

  private async leave(reason: string): Promise<void> {
    this.phase = 'leaving';
    this.clearSilence();
    await this.control?.hangUp(reason);
  }

  private armSilence(): void {
    this.clearSilence();
    const epoch = this.epoch;
    this.silenceTimer = setTimeout(() => {
      if (epoch !== this.epoch || this.closed || this.phase !== 'waiting') return;
      this.log?.info({ step: this.stepId, retries: this.retries }, 'FLOW_SILENCE');
      const step = this.step();
      if (step.type === 'keypad' && this.digits.length > 0) return this.finishKeypad(step);
      this.retry();
    }, this.flow.silenceSec * 1000);
  }

  private clearSilence(): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
  }
}
