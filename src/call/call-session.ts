// CallSession: one media stream, from WS_CONNECTED to WS_STOP. The one place where the Twilio
// socket, the voice agent, the store and the call controls meet. Nothing here throws across the
// socket: every failure ends this call only (voicemail if the caller is still there).
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { AgentFactory, CallInfo, VoiceAgent } from '../agents/agent.js';
import type { Store } from '../store/store.js';
import type { TwilioCallsApi } from '../twilio/rest.js';
import type { CallEvents } from './call-events.js';
import type { CallMetrics } from './call-metrics.js';
import type { TransferDesk } from './transfer/transfer-desk.js';
import { ERRORS, type ErrorCode } from '../errors.js';
import { parseInbound, type MediaMessage, type StartMessage } from '../twilio/stream-messages.js';
import { PlaybackTracker } from './playback.js';
import { OutboundAudio } from './outbound-audio.js';
import { base64Bytes } from '../base64.js';
import { attachDirectFrames, type DirectFrames } from '../ws/direct-frames.js';
import type { CallRecorder } from './recorder.js';
import { Frame } from './caller-frame.js';
import { FrameGuard, SESSION_LIMITS } from './session-limits.js';
import { saveRecording, startRecording, type CallActionContext } from './call-actions.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { keepRecording } from '../blobs/keep-recording.js';
import { callControl } from './call-control.js';
import { Heartbeat, SessionTimers } from './session-timers.js';
import { reportStreamClosed, reportStreamOpened } from './stream-report.js';
import { handOverCall, noteHandoverResumed, type HandoverDeps } from './handover.js';
import { claimStart } from './stream-claim.js';

export interface SessionDeps {
  config: Config;
  log: Logger;
  store: Store;
  agents: AgentFactory;
  authToken: string;
  twilioCalls: TwilioCallsApi | undefined;
  /** A call whose REST API is not Twilio's (the dashboard's test calls: the in-process emulator). */
  restFor?: (callSid: string) => TwilioCallsApi | undefined;
  events: CallEvents;
  metrics: CallMetrics;
  transfers: TransferDesk;
  /** MAX_CALLS: the session says when its call starts and stops holding a line here. */
  capacity?: { streamStarted(callSid: string): void; release(callSid: string, outcome: string): void };
  /** Where finished recordings go so every instance can serve them (src/blobs/). */
  blobs?: BlobStore;
}

type State = 'connected' | 'starting' | 'live' | 'ended';

export class CallSession {
  private state: State = 'connected';
  private log: Logger;
  private streamSid: string | undefined;
  private callSid: string | undefined;
  private agent: VoiceAgent | undefined;
  private readonly playback = new PlaybackTracker();
  private outbound: OutboundAudio | undefined;
  private recorder: CallRecorder | undefined;
  private earlyFrames: MediaMessage[] = [];
  private traceFrames = false;
  private readonly timers = new SessionTimers();
  private readonly heartbeat: Heartbeat;
  private readonly counts = {
    framesIn: 0,
    bytesIn: 0,
    badFrames: 0,
    marksAcked: 0,
    dtmf: 0,
    /** Caller frames beyond maxEarlyFrames while the agent did not exist yet. */
    earlyDropped: 0,
  };
  /** Frames seen while waiting for `start` (Twilio sends `connected`, then `start`). */
  private framesBeforeStart = 0;
  private connectedSeen = false;
  private readonly frameGuard = new FrameGuard(this.counts, {
    log: () => this.log,
    badFrame: () => this.deps.metrics.badFrames.inc(),
    flood: (detail) => this.reject('STREAM_FLOOD', detail),
  });
  private ended: Promise<void> | undefined;
  private readonly frames: DirectFrames;
  /** The store's claim this stream made, and its parameters: what a handover carries on. */
  private claimedAt: Date | undefined;
  private parameters: Record<string, string> = {};
  private handedOver = false;
  private startedAt = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SessionDeps,
    /** Public http(s) origin the call was reached on (absolute URLs in REST-updated TwiML). */
    private readonly httpOrigin: string,
    private readonly onEnd: (session: CallSession) => void,
  ) {
    this.log = deps.log;
    // 50 caller frames a second: read off the socket (ws still handles control frames and errors).
    const onMessage = (data: Buffer, isBinary: boolean): void => this.onMessage(data, isBinary);
    this.frames = attachDirectFrames(ws, onMessage, { enabled: deps.config.wsDirectFrames });
    this.log.info({ directFrames: this.frames.direct }, 'WS_CONNECTED');
    ws.on('close', (code, reason) => void this.end(code, reason.toString() || 'closed by Twilio'));
    ws.on('error', (err) => {
      // ws closes the socket after 'error' (1009 oversize, 1002 framing, 1007 bad UTF-8): log why.
      const code = (err as { code?: string }).code;
      this.log.warn({ err: err.message, code }, 'WS_ERROR');
    });
    this.heartbeat = new Heartbeat(ws, this.timers, () => this.log);
    this.timers.after(deps.config.streamStartTimeoutMs, () => {
      if (this.state === 'connected')
        this.reject('STREAM_NO_START', `no start within ${deps.config.streamStartTimeoutMs} ms`);
    });
  }

  get sids(): { callSid: string | undefined; streamSid: string | undefined } {
    return { callSid: this.callSid, streamSid: this.streamSid };
  }

  /** Still waiting for its `start` frame: counted against the pending-stream limits. */
  get awaitingStart(): boolean {
    return this.state === 'connected';
  }

  /** What a dashboard action (hang up, transfer) needs of this call; undefined unless it is live. */
  liveActions(): CallActionContext | undefined {
    return this.state === 'live' ? this.actionContext() : undefined;
  }

  /** Closes the stream from our side (drain, call ended elsewhere). */
  close(code: ErrorCode | 1000, reason: string): void {
    const wsCode = code === 1000 ? 1000 : ((ERRORS[code] as { wsClose?: number }).wsClose ?? 1011);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(wsCode, reason.slice(0, 120));
    else this.ws.terminate();
  }

  /**
   * Every frame of the call comes here, a media frame 50 times a second: the path to onMedia stays
   * a few checks long (small enough for V8 to inline), and everything else is in onOtherFrame.
   */
  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.state === 'ended') return;
    this.heartbeat.heard();
    if (this.frameGuard.flooding()) return;
    if (this.state === 'connected') return this.onFrameBeforeStart(data, isBinary);
    if (isBinary) return this.frameGuard.bad('binary', 'binary frame (Twilio sends text)');
    const parsed = parseInbound(data.toString('utf8'));
    if (parsed.ok && parsed.message.event === 'media' && parsed.message.streamSid === this.streamSid)
      return this.onMedia(parsed.message);
    this.onOtherFrame(parsed);
  }

  /** Twilio sends `connected`, then `start`: a peer that talks on without starting is cut off. */
  private onFrameBeforeStart(data: Buffer, isBinary: boolean): void {
    if (++this.framesBeforeStart > SESSION_LIMITS.maxFramesBeforeStart)
      return this.reject(
        'STREAM_FLOOD',
        `more than ${SESSION_LIMITS.maxFramesBeforeStart} frames before start`,
      );
    if (isBinary) return this.frameGuard.bad('binary', 'binary frame (Twilio sends text)');
    this.onOtherFrame(parseInbound(data.toString('utf8')));
  }

  private onOtherFrame(parsed: ReturnType<typeof parseInbound>): void {
    if (!parsed.ok) {
      // A start Twilio would never send (bad sids, a traversal, a NUL): no call behind it.
      if (parsed.event === 'start' && this.state === 'connected')
        return this.reject('STREAM_NO_START', parsed.reason);
      return this.frameGuard.bad(parsed.reason.split(':')[0] ?? 'bad', parsed.reason);
    }
    const msg = parsed.message;
    if (msg.event === 'connected') {
      if (this.connectedSeen) this.frameGuard.bad('connected', 'repeated connected frame');
      this.connectedSeen = true;
      return;
    }
    if (msg.event === 'start') {
      this.onStart(msg).catch((err: unknown) => {
        this.log.error({ err }, 'INTERNAL: the start frame could not be handled');
        this.close('INTERNAL', 'start failed');
      });
      return;
    }
    if (this.state === 'connected') return this.frameGuard.bad('before-start', `${msg.event} before start`);
    if (msg.streamSid !== this.streamSid)
      return this.frameGuard.bad('streamSid', `${msg.event} for another streamSid`);
    switch (msg.event) {
      case 'media':
        return this.onMedia(msg);
      case 'mark':
        if (this.playback.ack(msg.mark.name)) this.counts.marksAcked += 1;
        return;
      case 'dtmf':
        this.counts.dtmf += 1;
        this.log.info({ digit: msg.dtmf.digit }, 'WS_DTMF');
        return this.guard('onDtmf', () => this.agent?.onDtmf(msg.dtmf.digit));
      case 'stop':
        this.log.info('WS_STOP_RECEIVED');
        this.close(1000, 'stop received');
        return;
    }
  }

  private onMedia(msg: MediaMessage): void {
    this.counts.framesIn += 1;
    const p = msg.media.payload;
    this.counts.bytesIn += base64Bytes(p);
    this.deps.metrics.tally.framesIn += 1;
    if (this.counts.framesIn === 1 || this.counts.framesIn % SESSION_LIMITS.frameLogEvery === 0) {
      this.log.info({ len: p.length, frames: this.counts.framesIn }, 'WS_FRAME');
    } else if (this.traceFrames) {
      this.log.debug({ len: p.length }, 'WS_FRAME');
    }
    const agent = this.agent;
    if (!agent) {
      // Caller audio before the agent exists (token check, store lookups) is kept, not lost.
      if (this.earlyFrames.length < SESSION_LIMITS.maxEarlyFrames) this.earlyFrames.push(msg);
      else if (++this.counts.earlyDropped === 1)
        this.log.warn({ maxFrames: SESSION_LIMITS.maxEarlyFrames }, 'WS_EARLY_AUDIO_DROPPED: no agent yet');
      return;
    }
    this.deliver(agent, p, msg.media.timestamp);
  }

  /**
   * One caller frame to the recording, then the agent: recorded first, so a barge-in the agent
   * starts on this frame drops only agent audio the caller had not heard yet.
   */
  private deliver(agent: VoiceAgent, payload: string, timestamp: string): void {
    this.recorder?.callerBase64(payload);
    const ms = Number(timestamp);
    this.outbound?.callerFrame(ms);
    try {
      agent.onAudio(new Frame(payload, ms));
    } catch (err) {
      this.agentThrew('onAudio', err);
    }
  }

  private async onStart(msg: StartMessage): Promise<void> {
    if (this.state !== 'connected') return this.frameGuard.bad('start', 'second start frame');
    this.state = 'starting';
    const { callSid, accountSid, customParameters } = msg.start;
    this.streamSid = msg.streamSid;
    this.callSid = callSid;
    this.log = this.log.child({ callSid, streamSid: msg.streamSid });
    this.traceFrames = this.log.isLevelEnabled('debug');
    const claim = await claimStart(this.deps, { callSid, accountSid, customParameters });
    if (this.state !== 'starting') return; // the caller hung up meanwhile
    if (!claim.ok) {
      if (claim.err) this.log.error({ err: claim.err }, 'STORE_FAILED: cannot check the stream token');
      return this.reject(claim.code, claim.detail);
    }
    const { claimedAt: now, parameters: visibleParameters, handover } = claim;
    this.claimedAt = now;
    this.parameters = visibleParameters;
    this.startedAt = performance.now();
    this.deps.capacity?.streamStarted(callSid);
    if (handover) noteHandoverResumed(this.deps, this.log, callSid, handover.resume);

    this.state = 'live';
    this.log.info({ tracks: msg.start.tracks, mediaFormat: msg.start.mediaFormat }, 'WS_START');
    this.deps.metrics.liveStreams.inc();
    reportStreamOpened(this.deps, this.log, { callSid, streamSid: msg.streamSid }, now);
    if (this.deps.config.recordCalls) {
      this.recorder = startRecording(
        this.deps.config.dataDir,
        { callSid, streamSid: msg.streamSid },
        this.log,
      );
    }
    this.outbound = new OutboundAudio(
      this.frames,
      msg.streamSid,
      this.playback,
      () => this.close('STREAM_SLOW_READER', 'send queue full'),
      this.recorder,
      (frames) => (this.deps.metrics.tally.framesOut += frames),
    );

    const call = await this.callInfo(msg, accountSid, visibleParameters);
    if (handover?.resume) call.resume = handover.resume;
    if (this.state !== 'live') return;
    let agent: VoiceAgent;
    try {
      agent = this.deps.agents.create(call);
    } catch (err) {
      this.log.error({ err }, 'AGENT_CREATE_FAILED: caller goes to voicemail');
      return this.close(1000, 'agent unavailable');
    }
    this.agent = agent;
    // In arrival order, before any later frame: onMedia delivers directly from now on.
    for (const early of this.earlyFrames.splice(0)) {
      if (this.state !== 'live') break;
      this.deliver(agent, early.media.payload, early.media.timestamp);
    }
    try {
      await agent.start(
        call,
        callControl({
          log: this.log,
          isLive: () => this.state === 'live',
          playback: this.playback,
          outbound: this.outbound,
          recorder: this.recorder,
          actions: () => this.actionContext(),
          closeStream: (reason) => this.close(1000, reason),
          firstAudio: () =>
            this.deps.metrics.firstAudioSeconds?.observe((performance.now() - this.startedAt) / 1000),
        }),
      );
    } catch (err) {
      this.log.error({ err }, 'AGENT_START_FAILED: caller goes to voicemail');
      if (this.state === 'live') this.close(1000, 'agent failed');
    }
  }

  private async callInfo(
    msg: StartMessage,
    accountSid: string,
    customParameters: Record<string, string>,
  ): Promise<CallInfo> {
    const record = await this.deps.store.getCall(msg.start.callSid).catch(() => undefined);
    return {
      callSid: msg.start.callSid,
      streamSid: msg.streamSid,
      accountSid,
      from: record?.fromNumber ?? null,
      to: record?.toNumber ?? null,
      customParameters,
    };
  }

  /** What hang-up, transfer and the recording need of this call (after start: callSid is known). */
  private actionContext(): CallActionContext | undefined {
    const callSid = this.callSid;
    if (!callSid) return undefined;
    return {
      callSid,
      log: this.log,
      store: this.deps.store,
      twilioCalls: this.deps.restFor?.(callSid) ?? this.deps.twilioCalls,
      httpOrigin: this.httpOrigin,
      transfers: this.deps.transfers,
      closeStream: (reason) => this.close(1000, reason),
    };
  }

  /**
   * The drain's deadline came with this call live: ask Twilio for a new stream to the public host
   * (another instance). False when that failed (then the caller gets voicemail on close).
   */
  async handOver(deps: HandoverDeps): Promise<boolean> {
    const callSid = this.callSid;
    if (this.state !== 'live' || !callSid || !this.claimedAt) return false;
    const moved = await handOverCall(
      {
        callSid,
        claimedAt: this.claimedAt,
        parameters: this.parameters,
        resume: this.agent?.resumeState?.(),
        httpOrigin: this.httpOrigin,
        twilioCalls: this.deps.restFor?.(callSid) ?? this.deps.twilioCalls,
        log: this.log,
      },
      deps,
    );
    this.handedOver = moved;
    return moved;
  }

  /** Ends the session once, whatever ended it; every resource is released here. */
  end(code: number, reason: string): Promise<void> {
    this.ended ??= this.finish(code, reason);
    return this.ended;
  }

  private async finish(code: number, reason: string): Promise<void> {
    const wasLive = this.state === 'live';
    this.state = 'ended';
    this.timers.clear();
    this.playback.dispose();
    this.outbound?.dispose();
    this.earlyFrames = [];
    this.onEnd(this);
    const out = this.outbound?.counts ?? { framesOut: 0, bytesOut: 0, marksOut: 0 };
    this.log.info({ code, reason, ...this.counts, ...out }, 'WS_STOP');
    this.deps.metrics.streamCloses.inc({ code: String(code) });
    if (wasLive) this.deps.metrics.liveStreams.dec();
    if (wasLive && this.callSid)
      this.deps.capacity?.release(this.callSid, this.handedOver ? 'handed-over' : 'stream-ended');
    const agent = this.agent;
    this.agent = undefined;
    if (agent) {
      await agent.close(reason).catch((err: unknown) => this.log.error({ err }, 'AGENT_CLOSE_FAILED'));
    }
    const actions = this.actionContext();
    if (this.recorder && actions)
      await saveRecording(actions, this.recorder, (file) =>
        keepRecording(this.deps.blobs, this.deps.config.dataDir, file),
      );
    if (wasLive && this.streamSid && this.callSid) {
      const ids = { callSid: this.callSid, streamSid: this.streamSid };
      await reportStreamClosed(this.deps, this.log, ids, { ...this.counts, ...out }, code, reason);
    }
  }

  private reject(code: ErrorCode, detail: string): void {
    this.deps.metrics.streamRejects.inc({ code });
    this.log.warn({ code, detail }, 'WS_REJECTED');
    this.close(code, ERRORS[code].summary);
  }

  /** Runs agent code; a throw ends this call (to voicemail), never the process. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.agentThrew(what, err);
    }
  }

  private agentThrew(what: string, err: unknown): void {
    this.log.error({ err, what }, 'AGENT_THREW: caller goes to voicemail');
    this.close(1000, 'agent failed');
  }
}
