// The OpenAI Realtime voice agent for one call: caller μ-law frames go upstream untouched, agent
// audio deltas go to CallControl.play; barge-in clears Twilio, cancels the response and truncates
// the audible item at what the caller heard. A failing provider never means silence: one bounded
// reconnect, else an apology and voicemail. A silent caller gets check-ins, then a goodbye.
import type { Logger } from 'pino';
import type { CallControl, CallerFrame, CallInfo, Handoff, VoiceAgent } from '../agent.js';
import { bounded, type RealtimeAgentDeps } from './agent-config.js';
import { CallerAudioQueue } from './caller-audio-queue.js';
import { CallLengthLimit } from './call-length.js';
import { Playout } from './playout.js';
import { appendAudio, cancelResponse, createResponse, systemMessage } from './client-events.js';
import { WRAP_UP_NOTE } from './instructions.js';
import { IdleWatch } from './idle-watch.js';
import { StallWatch } from './stall-watch.js';
import { isCallerVerified } from '../caller-trust.js';
import { recordAgentStep } from '../call-timeline.js';
import type { UpstreamSession } from './prewarm-pool.js';
import { ResponseOutcomes } from './response-outcomes.js';
import { ResponseSequencer } from './responses.js';
import type { ServerEvent } from './server-events.js';
import { storeSummaryAnswer } from './summary.js';
import { SummaryRequest } from './summary-request.js';
import { ToolCalls } from './tool-calls.js';
import { formatTurns, TranscriptRecorder } from './transcript.js';
import { UpstreamLink } from './upstream-link.js';

type Phase = 'connecting' | 'live' | 'ending' | 'failing' | 'closed';

export class RealtimeAgent implements VoiceAgent {
  private phase: Phase = 'connecting';
  private log: Logger;
  private control: CallControl | undefined;
  private readonly link: UpstreamLink;
  private spokeFirst = false;
  private failure: string | undefined;
  private readonly queue: CallerAudioQueue;
  private lastFrameMs = 0;
  /** Stream time of the first frame sent to the current session: its audio clock's zero. */
  private audioZero: number | undefined;
  private readonly playout: Playout;
  private readonly responses: ResponseSequencer;
  private readonly outcomes: ResponseOutcomes;
  private readonly transcript: TranscriptRecorder;
  private readonly tools: ToolCalls;
  private readonly lengthLimit = new CallLengthLimit(() => this.log);
  private readonly summary = new SummaryRequest();
  private readonly idle: IdleWatch;
  private readonly stall: StallWatch;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly call: CallInfo,
    private readonly deps: RealtimeAgentDeps,
    prewarmed: UpstreamSession | undefined,
  ) {
    this.log = deps.log.child({ agent: 'openai-realtime', callSid: call.callSid });
    // A resumed call has been greeted: the model goes on from the transcript instead.
    this.spokeFirst = deps.resuming === true;
    this.link = new UpstreamLink(
      deps,
      call,
      {
        log: () => this.log,
        closed: () => this.phase === 'closed',
        connected: (resumed) => this.onConnected(resumed),
        event: (event) => this.onEvent(event),
        lost: (reason) => this.upstreamLost(reason),
        fail: (reason) => this.fail(reason),
      },
      prewarmed,
    );
    this.queue = new CallerAudioQueue(deps.timings.maxQueuedAudioMs, () => this.log);
    this.responses = new ResponseSequencer((request, eventId) => {
      this.stall.heard(); // the provider's time to answer starts now
      return this.send(createResponse(request, deps.upstream.protocol, eventId));
    });
    this.outcomes = new ResponseOutcomes(this.responses, {
      log: () => this.log,
      live: () => this.phase === 'live',
      fail: (reason) => this.fail(reason),
    });
    this.stall = new StallWatch(deps.timings.responseStallMs, {
      owed: () => this.phase === 'live' && this.responses.owed,
      stalled: (ms) => this.upstreamLost(`the provider sent nothing for ${ms} ms while a response was due`),
    });
    this.transcript = new TranscriptRecorder(deps.store, call.callSid, this.log, deps.now);
    this.playout = new Playout(
      this.responses,
      this.transcript,
      (text) => this.send(text),
      () => this.log,
    );
    this.tools = new ToolCalls(
      {
        callSid: call.callSid,
        from: call.from,
        verified: isCallerVerified(call),
        store: deps.store,
        router: deps.router,
        log: this.log,
        now: deps.now,
      },
      deps.timings.keypadTimeoutMs,
      {
        epoch: () => this.link.epoch,
        send: (text) => this.send(text),
        responses: this.responses,
        endCall: (reason) => void this.finish({ kind: 'hangup', reason }),
        transfer: (target) => void this.finish({ kind: 'transfer', target }),
      },
    );
    this.idle = new IdleWatch(
      { repromptMs: deps.timings.idleRepromptMs, maxReprompts: deps.timings.idleMaxReprompts },
      {
        quiet: () => this.phase === 'live' && this.responses.idle(),
        whenPlayed: () => this.control?.whenPlayed() ?? Promise.resolve(),
        ask: (request) => this.responses.request(request),
        end: (reason, outcome) => void this.finish({ kind: 'hangup', reason, outcome }),
        timeline: (name, detail) =>
          recordAgentStep(deps.store, this.log, { callSid: call.callSid, name, detail, at: deps.now() }),
        log: () => this.log,
      },
    );
    this.link.connect();
  }

  async start(_call: CallInfo, control: CallControl): Promise<void> {
    if (this.phase === 'closed') return;
    this.control = control;
    this.log = control.log.child({ agent: 'openai-realtime' });
    if (this.failure !== undefined) return void this.fallback(this.failure);
    this.lengthLimit.start(this.deps.timings, {
      wrapUp: () => this.wrapUp(),
      // Past the wrap-up: only what is already queued still plays; the model is not waited for.
      hardStop: () => void this.finish({ kind: 'hangup', reason: 'maximum call length' }, false),
    });
    this.maybeSpeakFirst();
    this.idle.update();
  }

  onAudio(frame: CallerFrame): void {
    this.lastFrameMs = frame.timestampMs;
    const phase = this.phase;
    // While ending, the caller is not listened to: no new turn may start over the goodbye.
    if (phase === 'closed' || phase === 'failing' || phase === 'ending') return;
    if (phase === 'live' && this.queue.length === 0) {
      this.audioZero ??= frame.timestampMs;
      if (this.link.send(appendAudio(frame.payload))) return;
    }
    this.queue.push(frame.payload, frame.timestampMs);
  }

  resumeState(): { agent: string } {
    return { agent: 'openai-realtime' };
  }

  onDtmf(digit: string): void {
    if (this.phase === 'closed') return;
    if (!this.tools.feedDigit(digit))
      this.log.debug({ digit }, 'REALTIME_DTMF_IGNORED: no keypad entry open');
    this.idle.keyPressed();
  }

  close(reason: string): Promise<void> {
    this.closing ??= this.shutdown(reason).catch((err: unknown) =>
      this.log.error({ err }, 'REALTIME_CLOSE_FAILED'),
    );
    return this.closing;
  }

  // ── upstream lifecycle ────────────────────────────────────────────────────────────────────

  /** A session is up (the link has set its handler): flush the caller's audio, then speak or resume. */
  private onConnected(resumed: boolean): void {
    if (this.stopped()) return;
    if (this.phase === 'connecting') this.phase = 'live';
    this.flush();
    this.stall.start();
    if (resumed) this.responses.request();
    else this.maybeSpeakFirst();
    this.idle.update();
  }

  /** The session is gone (or never came): reconnect once if we may, else fall back. */
  private upstreamLost(reason: string): void {
    if (this.phase === 'closed') return this.summary.abort();
    if (this.phase === 'failing') return;
    this.resetSession();
    if (this.phase === 'ending') return; // the end action goes ahead without the model
    if (this.link.takeReconnect()) {
      this.log.warn({ reason }, 'REALTIME_RECONNECTING');
      this.phase = 'connecting';
      this.link.reconnect(formatTurns(this.transcript.recentTurns()) || '(עדיין לא נאמר דבר)');
      return;
    }
    this.fail(reason);
  }

  private resetSession(): void {
    this.tools.cancel();
    this.responses.reset();
    this.playout.clear();
    this.audioZero = undefined;
    this.idle.reset();
    this.transcript.resetSession();
  }

  private fail(reason: string): void {
    if (this.phase === 'failing' || this.phase === 'closed') return;
    this.phase = 'failing';
    this.failure = reason;
    this.log.error({ reason }, 'REALTIME_FAILED: apology, then voicemail');
    this.link.close('failed');
    this.stall.stop();
    this.lengthLimit.clear();
    this.idle.stop();
    const unsent = this.queue.clear();
    if (unsent) this.log.warn({ frames: unsent }, 'REALTIME_AUDIO_NOT_SENT: the caller goes to voicemail');
    // Without a control yet (start not called), start() runs the fallback.
    if (this.control) void this.fallback(reason);
  }

  private async fallback(reason: string): Promise<void> {
    const control = this.control;
    if (!control || this.phase === 'closed') return;
    const apology = this.deps.apologyAudio;
    if (apology && apology.length > 0) {
      control.play(apology);
      await bounded(control.whenPlayed(), this.deps.timings.apologyTimeoutMs);
    }
    if (this.stopped('closed')) return;
    control.toVoicemail(`openai-realtime: ${reason}`);
  }

  // ── caller audio ──────────────────────────────────────────────────────────────────────────

  private flush(): void {
    const client = this.link.client;
    if (!client || this.queue.length === 0) return;
    const flushed = this.queue.flush((payload, timestampMs) => {
      this.audioZero ??= timestampMs;
      return client.send(appendAudio(payload));
    });
    this.log.info({ ...flushed, droppedMs: this.queue.droppedMs }, 'REALTIME_AUDIO_FLUSHED');
  }

  // ── provider events ───────────────────────────────────────────────────────────────────────

  private onEvent(e: ServerEvent): void {
    this.stall.heard();
    if (this.summary.onEvent(e)) return;
    if (this.phase === 'closed' || this.phase === 'failing') return;
    switch (e.type) {
      case 'response.output_audio.delta':
        if (this.control) {
          this.playout.delta(
            this.control,
            e.response_id,
            e.item_id,
            e.content_index,
            e.delta,
            this.lastFrameMs,
          );
        }
        return;
      case 'input_audio_buffer.speech_started':
        this.idle.speechStarted();
        this.transcript.speechEdge(e.item_id, 'start', this.streamTime(e.audio_start_ms));
        if (this.control && this.phase === 'live') this.playout.bargeIn(this.control);
        return;
      case 'input_audio_buffer.speech_stopped':
        this.idle.speechStopped();
        return this.transcript.speechEdge(e.item_id, 'end', this.streamTime(e.audio_end_ms));
      case 'conversation.item.input_audio_transcription.completed':
        return this.transcript.callerSaid(e.item_id, e.transcript);
      case 'response.output_audio_transcript.done':
        return this.transcript.agentSaid(e.item_id, e.transcript, this.playout.item(e.item_id));
      case 'response.created':
        this.responses.onCreated(e.response.id);
        return this.idle.update();
      case 'response.function_call_arguments.done':
        if (this.responses.isCancelled(e.response_id)) {
          return this.log.info({ tool: e.name }, 'REALTIME_TOOL_CALL_DROPPED: its response was cancelled');
        }
        return this.tools.handle(e);
      case 'response.done':
        this.onResponseDone(e.response.id, e.response.status, e.response.status_details);
        return this.idle.update();
      case 'error':
        return this.outcomes.error(e.error);
      case 'session.created':
      case 'session.updated':
      case 'input_audio_buffer.committed':
      case 'conversation.item.truncated':
      case 'response.output_text.done':
        if (this.log.isLevelEnabled('debug')) this.log.debug({ type: e.type }, 'REALTIME_EVENT');
        return;
    }
  }

  /** Session audio time (ms since the first frame it received) → stream time. */
  private streamTime(audioMs: number | undefined): number | null {
    return audioMs !== undefined && this.audioZero !== undefined ? this.audioZero + audioMs : null;
  }

  private onResponseDone(id: string, status: string | undefined, details: unknown): void {
    this.responses.onDone(id);
    if (this.control) this.playout.settle(this.control.heardMs());
    this.outcomes.done(id, status, details);
  }

  // ── turns we start ────────────────────────────────────────────────────────────────────────

  private maybeSpeakFirst(): void {
    if (!this.deps.speakFirst || this.spokeFirst || !this.control || this.phase !== 'live') return;
    this.spokeFirst = true;
    this.responses.request();
  }

  private wrapUp(): void {
    if (this.phase !== 'live') return;
    this.log.info('REALTIME_WRAP_UP: the call nears the session limit');
    this.send(systemMessage(WRAP_UP_NOTE));
    this.responses.request();
  }

  /** Ends the call after the model's last words: wait for its turn and its audio, then act. */
  private async finish(
    action: { kind: 'hangup'; reason: string; outcome?: string } | { kind: 'transfer'; target: Handoff },
    waitForModel = true,
  ): Promise<void> {
    const control = this.control;
    if (!control || (this.phase !== 'live' && this.phase !== 'connecting')) return;
    this.phase = 'ending';
    this.lengthLimit.clear();
    this.idle.stop();
    this.log.info({ action: action.kind }, 'REALTIME_ENDING');
    const lastWords = (async () => {
      if (waitForModel) await this.responses.whenIdle();
      await control.whenPlayed();
    })();
    await bounded(lastWords, this.deps.timings.endCallTimeoutMs);
    if (this.stopped()) return;
    if (action.kind === 'hangup') await control.hangUp(action.reason, action.outcome);
    else await control.transfer(action.target);
  }

  // ── end of call ───────────────────────────────────────────────────────────────────────────

  private async shutdown(reason: string): Promise<void> {
    const phase = this.phase;
    this.phase = 'closed';
    this.stall.stop();
    this.lengthLimit.clear();
    this.idle.stop();
    this.tools.cancel();
    this.queue.clear();
    const client = this.link.client;
    this.log.info(
      { reason, lateDeltas: this.playout.lateDeltas, droppedMs: this.queue.droppedMs },
      'REALTIME_CLOSING',
    );
    if (client?.state === 'open' && this.deps.summary && this.transcript.count > 0 && phase !== 'failing') {
      await this.summarise();
    }
    client?.close(reason);
    await this.transcript.flushed();
  }

  /** One out-of-band, text-only response on the same session: summary and lead fields. */
  private async summarise(): Promise<void> {
    const active = this.responses.activeId;
    if (active !== undefined) this.send(cancelResponse(active)); // nobody is listening any more
    const answer = this.summary.run(
      (event) => this.send(event),
      this.deps.upstream.protocol,
      this.deps.timings.summaryTimeoutMs,
    );
    await storeSummaryAnswer(answer, {
      store: this.deps.store,
      callSid: this.call.callSid,
      from: this.call.from,
      now: this.deps.now,
      log: this.log,
    });
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────

  /** Re-reads the phase after an await or a callback (TypeScript cannot see those change it). */
  private stopped(...phases: Phase[]): boolean {
    return (phases.length ? phases : ['closed', 'failing']).includes(this.phase);
  }

  private send(text: string): boolean {
    return this.link.send(text);
  }
}
