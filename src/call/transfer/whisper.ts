// The agent's side of a transfer: the whisper their leg runs once they pick up (who is calling,
// about what, press 1), and their key. The first to accept wins the call (the store decides, on
// any instance); any other key, silence, or a call already taken declines and frees their line.
import type { Logger } from 'pino';
import type { AgentLines } from '../../routing/router.js';
import type { Store } from '../../store/store.js';
import type { TransferMember, TransferRecord } from '../../store/transfer-store.js';
import {
  transferUrls,
  whisperAcceptTwiml,
  whisperDeclineTwiml,
  whisperTwiml,
} from '../../twilio/transfer-twiml.js';
import { TransferNotes } from './transfer-notes.js';
import { ACCEPT_KEY, whisperText } from './whisper-text.js';

export interface WhisperDeps {
  store: Store;
  lines: AgentLines;
  notes: TransferNotes;
  log: Logger;
  now?: () => Date;
}

export interface WhisperInput {
  /** The caller's call (the Dial's parent). */
  parentCallSid: string;
  attempt: number;
  agentId: string;
  origin: string;
}

const CONNECTING = 'מחברים אתכם לשיחה.';
const TAKEN = 'השיחה כבר נענתה. תודה.';
const GONE = 'השיחה כבר אינה ממתינה. תודה.';

export class Whisper {
  private readonly now: () => Date;

  constructor(private readonly deps: WhisperDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The whisper of an agent who picked up, or a polite hang-up when the call no longer waits. */
  async prompt(p: WhisperInput): Promise<string> {
    const found = await this.find(p, false);
    if (!found) return whisperDeclineTwiml(GONE);
    const call = await this.deps.store.getCall(p.parentCallSid);
    const text = whisperText({ from: call?.fromNumber ?? null, topic: found.transfer.topic });
    this.deps.log.info({ callSid: p.parentCallSid, agentId: p.agentId, attempt: p.attempt }, 'AGENT_WHISPER');
    return whisperTwiml({ text, action: transferUrls(p.origin).whisperKey(p.attempt, p.agentId) });
  }

  /** The agent's key (empty: silence). 1 accepts, unless someone accepted first. */
  async key(p: WhisperInput & { digits: string }): Promise<string> {
    const found = await this.find(p, true);
    if (!found) return whisperDeclineTwiml(GONE);
    const { transfer } = found;
    const log = this.deps.log.child({ callSid: p.parentCallSid, agentId: p.agentId, attempt: p.attempt });
    const accepted = p.digits === ACCEPT_KEY;
    if (accepted && transfer.agentId === p.agentId) return whisperAcceptTwiml(CONNECTING); // a retry
    if (
      accepted &&
      (await this.deps.store.acceptTransfer(p.parentCallSid, p.attempt, p.agentId, this.now()))
    ) {
      log.info('AGENT_ACCEPTED');
      // The call is this agent's now: bookkeeping that fails is logged, the bridge goes ahead.
      try {
        await this.deps.lines.answered(p.parentCallSid, p.agentId);
        await this.deps.store.setCallOutcome(p.parentCallSid, 'transferred');
      } catch (err) {
        log.error({ err }, 'TRANSFER_NOTE_FAILED');
      }
      await this.deps.notes.note(
        p.parentCallSid,
        'agent-answered',
        { agentId: p.agentId, attempt: p.attempt, department: transfer.department },
        TransferNotes.legEnd(p.parentCallSid, p.attempt, p.agentId),
      );
      return whisperAcceptTwiml(CONNECTING);
    }
    // Keys are not logged: only whether the agent took the call.
    const why = accepted ? 'taken by another agent' : p.digits === '' ? 'no key pressed' : 'another key';
    await this.deps.notes.note(
      p.parentCallSid,
      'agent-declined',
      { agentId: p.agentId, attempt: p.attempt, why },
      TransferNotes.legEnd(p.parentCallSid, p.attempt, p.agentId),
    );
    await this.deps.lines.release(p.parentCallSid, 'declined', p.agentId);
    log.info({ why }, 'AGENT_DECLINED');
    return whisperDeclineTwiml(accepted ? TAKEN : undefined);
  }

  /**
   * The transfer and the agent, if this agent is rung by the attempt that rings now (or, for a
   * key, that someone already accepted: a retry, or a second agent too late).
   */
  private async find(
    p: WhisperInput,
    acceptedToo: boolean,
  ): Promise<{ transfer: TransferRecord; member: TransferMember } | undefined> {
    const transfer = await this.deps.store.getTransfer(p.parentCallSid);
    const member = transfer?.groups[p.attempt]?.find((m) => m.agentId === p.agentId);
    const ringing =
      transfer?.attempt === p.attempt &&
      (transfer.state === 'ringing' || (acceptedToo && transfer.state === 'bridged'));
    if (!transfer || !member || !ringing) {
      this.deps.log.warn(
        { callSid: p.parentCallSid, agentId: p.agentId, attempt: p.attempt, state: transfer?.state ?? null },
        'AGENT_WHISPER_STALE: the call no longer waits for this agent',
      );
      return undefined;
    }
    return { transfer, member };
  }
}
