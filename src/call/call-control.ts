// The CallControl a CallSession hands its agent once the stream is live: audio out (cut at what
// the caller heard on a barge-in) and the call's controls — hang up, transfer, voicemail.
import type { Logger } from 'pino';
import type { CallControl } from '../agents/agent.js';
import type { PlaybackTracker } from './playback.js';
import type { OutboundAudio } from './outbound-audio.js';
import type { CallRecorder } from './recorder.js';
import { hangUpCall, transferCall, type CallActionContext } from './call-actions.js';

/** What of its session a live call's control reaches. */
export interface ControlledCall {
  /** Already carries callSid and streamSid: the control is made after start. */
  log: Logger;
  isLive(): boolean;
  playback: PlaybackTracker;
  outbound: OutboundAudio | undefined;
  recorder: CallRecorder | undefined;
  /** What hang-up and transfer need of the call; undefined while its callSid is unknown. */
  actions(): CallActionContext | undefined;
  /** Closes the stream normally: Twilio runs the <Connect action>, the caller reaches voicemail. */
  closeStream(reason: string): void;
  /** The first agent audio of the stream went out (the start → first audio metric). */
  firstAudio?: () => void;
}

export function callControl(c: ControlledCall): CallControl {
  let played = false;
  return {
    log: c.log,
    play: (audio) => {
      if (!c.isLive()) return;
      c.outbound?.play(audio);
      if (!played) {
        played = true;
        c.firstAudio?.();
      }
    },
    interrupt: () => {
      const heardMs = c.playback.interrupt();
      c.recorder?.clear();
      if (c.isLive()) c.outbound?.clear();
      return { heardMs };
    },
    heardMs: () => c.playback.heardMs(),
    pendingMs: () => c.playback.pendingMs(),
    whenPlayed: () => c.playback.whenPlayed(),
    hangUp: async (reason, outcome) => {
      const actions = c.actions();
      if (actions) await hangUpCall(actions, reason, outcome);
    },
    transfer: async (target) => {
      const actions = c.actions();
      if (actions) await transferCall(actions, target);
    },
    toVoicemail: (reason) => {
      c.log.info({ reason }, 'TO_VOICEMAIL');
      c.closeStream('voicemail');
    },
  };
}
