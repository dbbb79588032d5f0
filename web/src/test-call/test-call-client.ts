// A test call from this browser, framework-free: the microphone goes up the WebSocket as 20 ms
// μ-law frames, the agent's audio comes down and plays, keys go up as DTMF, and every change of
// state is reported to onChange. One instance is one call; start() once, then hangUp() or wait.
import {
  TEST_CALL_PATH,
  type TestCallClientMessage,
  type TestCallServerMessage,
} from '../../../src/test-call/protocol.js';
import { AgentPlayback, type PlaybackStats } from './agent-playback.js';
import { startMicCapture, type MicCapture } from './mic-capture.js';
import { MulawUplink } from './uplink.js';

export type TestCallPhase = 'idle' | 'starting' | 'ringing' | 'greeting' | 'connected' | 'ended' | 'failed';

/** Why a call could not start or was cut: the microphone, the server's refusal, or the network. */
export type TestCallFailure = 'microphone' | 'refused' | 'network';

export interface TestCallState {
  phase: TestCallPhase;
  callSid?: string;
  /** How the call ended (the emulator's endedBy: caller, api, twiml, error, time-limit, emulator). */
  endReason?: string;
  failure?: TestCallFailure;
  /** The server's or the browser's words about a failure. */
  message?: string;
  micFrames: number;
  agent: PlaybackStats;
}

/** Mic frames between two reports of the count (0.5 s). */
const MIC_REPORT_EVERY = 25;

export function testCallUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${TEST_CALL_PATH}`;
}

/** After a refused upgrade (the browser only sees the socket fail), the same checks over plain GET say why. */
async function refusalMessage(): Promise<string | undefined> {
  try {
    const response = await fetch(TEST_CALL_PATH, { credentials: 'same-origin' });
    if (response.status === 426) return undefined;
    const body = (await response.json()) as { message?: string };
    return body.message;
  } catch {
    return undefined;
  }
}

export class TestCallClient {
  private state: TestCallState;
  private ctx: AudioContext | undefined;
  private mic: MicCapture | undefined;
  private socket: WebSocket | undefined;
  private playback: AgentPlayback | undefined;

  constructor(private readonly onChange: (state: TestCallState) => void) {
    this.state = {
      phase: 'idle',
      micFrames: 0,
      agent: { bytes: 0, peak: 0, rms: 0, playedMs: 0, dropped: 0 },
    };
  }

  get current(): TestCallState {
    return this.state;
  }

  /** Call from a click: the AudioContext may only start with a user gesture. */
  async start(url = testCallUrl(window.location)): Promise<void> {
    if (this.state.phase !== 'idle') return;
    this.update({ phase: 'starting' });
    let ctx: AudioContext;
    try {
      ctx = new AudioContext({ latencyHint: 'interactive' });
      await ctx.resume();
    } catch (err) {
      return this.fail('microphone', err instanceof Error ? err.message : String(err));
    }
    this.ctx = ctx;
    const playback = new AgentPlayback(ctx, () => this.update({ agent: { ...playback.stats } }));
    this.playback = playback;
    const uplink = new MulawUplink(ctx.sampleRate, (frame) => this.sendFrame(frame));
    try {
      this.mic = await startMicCapture(ctx, (samples) => uplink.push(samples));
    } catch (err) {
      return this.fail('microphone', err instanceof Error ? err.message : String(err));
    }
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    let opened = false;
    socket.onopen = () => (opened = true);
    socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data === 'string')
        this.onServerMessage(JSON.parse(event.data) as TestCallServerMessage);
      else playback.push(new Uint8Array(event.data));
    };
    socket.onclose = (event) => {
      // After `ended` the audio is released on its own timer, once the last words have played.
      if (this.state.phase === 'ended') return;
      if (!opened) {
        void refusalMessage().then((message) =>
          this.fail('refused', message ?? 'the server refused the call'),
        );
        return;
      }
      this.fail('network', event.reason || `the connection closed (${event.code})`);
    };
  }

  press(digit: string): void {
    this.send({ type: 'dtmf', digit });
  }

  hangUp(): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.send({ type: 'hangup' });
    else this.release();
  }

  /** Releases the microphone, the audio and the socket (leaving the page mid-call hangs up). */
  dispose(): void {
    this.socket?.close(1000, 'page closed');
    this.release();
  }

  private onServerMessage(message: TestCallServerMessage): void {
    switch (message.type) {
      case 'ringing':
        return this.update({ phase: 'ringing', callSid: message.callSid });
      case 'greeting':
        this.update({ phase: 'greeting' });
        if (message.audio) void this.playback?.playFile(message.audio).catch(() => undefined);
        return;
      case 'connected':
        return this.update({ phase: 'connected', callSid: message.callSid });
      case 'clear':
        return this.playback?.clear();
      case 'ended':
        this.update({ phase: 'ended', endReason: message.reason });
        // Let the last words play out before the audio is released.
        window.setTimeout(() => this.release(), 1500);
        return;
    }
  }

  private sendFrame(frame: Uint8Array): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(frame);
    const micFrames = this.state.micFrames + 1;
    // Twice a second is enough for the page; 50 renders a second are not.
    if (micFrames % MIC_REPORT_EVERY === 0) this.update({ micFrames });
    else this.state = { ...this.state, micFrames };
  }

  private send(message: TestCallClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private fail(failure: TestCallFailure, message: string): void {
    this.update({ phase: 'failed', failure, message });
    this.release();
  }

  private release(): void {
    this.mic?.stop();
    this.mic = undefined;
    this.playback?.clear();
    void this.ctx?.close().catch(() => undefined);
    this.ctx = undefined;
  }

  private update(patch: Partial<TestCallState>): void {
    this.state = { ...this.state, ...patch };
    this.onChange(this.state);
  }
}
