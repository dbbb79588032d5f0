// The transfer that reaches a person, across its webhooks: starts ringing a route's groups (the
// TwiML the call is updated with), answers each <Dial action> (bridged → goodbye; not answered or
// declined → the next group; none left → the no-answer prompt and voicemail), and frees the agents'
// lines when legs and calls end. State lives in the store, so any instance can take any callback.
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { AgentLines, Candidate, RingRoute } from '../../routing/router.js';
import type { Store } from '../../store/store.js';
import type { TransferRecord } from '../../store/transfer-store.js';
import { isTerminalStatus, type CallStatus } from '../../twilio/call-status.js';
import { transferDialTwiml, transferUrls } from '../../twilio/transfer-twiml.js';
import { emptyTwiml, hangupTwiml, voicemailTwiml } from '../../twilio/twiml.js';
import { TransferNotes } from './transfer-notes.js';

export interface TransferDeskDeps {
  config: Pick<Config, 'voicemail'>;
  store: Store;
  lines: AgentLines;
  notes: TransferNotes;
  log: Logger;
  now?: () => Date;
}

export interface DialStatusInput {
  callSid: string;
  attempt: number;
  dialCallStatus: string;
  /** Twilio's DialBridged; absent on old callbacks. */
  bridged: boolean | undefined;
  callStatus: CallStatus | undefined;
  /** Public origin the callback came in on (absolute URLs in the answer). */
  origin: string;
}

/** How long a retried dial_status waits for the first one's answer before playing safe. */
const REPLAY_WAIT_MS = 2000;

const isE164 = (n: string | null | undefined): n is string => typeof n === 'string' && /^\+\d{6,15}$/.test(n);

export class TransferDesk {
  private readonly now: () => Date;

  constructor(private readonly deps: TransferDeskDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get notes(): TransferNotes {
    return this.deps.notes;
  }

  /**
   * Starts a transfer: stores the route and rings its first group whose lines can be held. Returns
   * the TwiML to update the live call with: that <Dial>, or voicemail when every line was taken
   * since the route was made.
   */
  async start(input: { callSid: string; origin: string; route: RingRoute; topic?: string }): Promise<string> {
    const { callSid, route } = input;
    const at = this.now();
    await this.deps.store.saveTransfer({
      callSid,
      state: 'ringing',
      department: route.department,
      topic: input.topic ?? route.department,
      ringSeconds: route.ringSeconds,
      groups: route.groups,
      noAnswerPrompt: route.noAnswerPrompt,
      attempt: -1,
      voicemailReason: null,
      voicemailPrompt: null,
      at,
    });
    const transfer = await this.deps.store.getTransfer(callSid);
    const next = transfer ? await this.ringFrom(transfer, 0, input.origin) : undefined;
    if (next) {
      await this.deps.store.updateTransfer(callSid, { attempt: next.attempt }, at);
      return next.twiml;
    }
    return this.voicemail(callSid, 'all-busy', route.noAnswerPrompt, input.origin);
  }

  /** The REST update failed: the held lines are freed and the stream's end leads to voicemail. */
  async abandon(callSid: string): Promise<void> {
    await this.deps.lines.release(callSid, 'transfer-failed');
    await this.markVoicemail(callSid, 'transfer-failed', this.deps.config.voicemail.prompt);
  }

  /**
   * The agent sends the caller to voicemail; the stream's end (<Connect action>) then says `prompt`
   * (null: nothing, the caller already heard why) before the beep.
   */
  async markVoicemail(callSid: string, reason: string, prompt: string | null): Promise<void> {
    const at = this.now();
    const existing = await this.deps.store.getTransfer(callSid);
    if (existing) {
      await this.deps.store.updateTransfer(
        callSid,
        { state: 'voicemail', voicemailReason: reason, voicemailPrompt: prompt },
        at,
      );
      return;
    }
    await this.deps.store.saveTransfer({
      callSid,
      state: 'voicemail',
      department: null,
      topic: null,
      ringSeconds: 20,
      groups: [],
      noAnswerPrompt: null,
      attempt: -1,
      voicemailReason: reason,
      voicemailPrompt: prompt,
      at,
    });
  }

  /**
   * What the stream's end (<Connect action>) does with a caller still on the line: nothing while
   * a transfer owns the call (Twilio runs the REST-updated TwiML, not this answer), else voicemail
   * with the prompt the agent chose (null: none) or the default one.
   */
  async afterStream(
    callSid: string,
  ): Promise<{ kind: 'transfer' } | { kind: 'voicemail'; prompt: string | null }> {
    const transfer = await this.deps.store.getTransfer(callSid);
    if (transfer && transfer.state !== 'voicemail') return { kind: 'transfer' };
    const reason = transfer?.voicemailReason ?? 'stream-ended';
    await this.noteVoicemail(callSid, reason, transfer?.department ?? null);
    return {
      kind: 'voicemail',
      prompt: transfer ? transfer.voicemailPrompt : this.deps.config.voicemail.prompt,
    };
  }

  /** The <Dial action> of one attempt; a retry of a handled one gets the same answer again. */
  async dialStatus(p: DialStatusInput): Promise<string> {
    const log = this.deps.log.child({ callSid: p.callSid });
    const transfer = await this.deps.store.getTransfer(p.callSid);
    if (!transfer) {
      log.warn({ attempt: p.attempt }, 'DIAL_STATUS for a transfer this store does not know: voicemail');
      return this.callOver(p) ? emptyTwiml() : this.voicemailReply(null, p.origin);
    }
    if (!(await this.deps.store.takeDialStatus(p.callSid, p.attempt, this.now()))) {
      log.info({ attempt: p.attempt }, 'DIAL_STATUS_RETRY: answering as before');
      return this.replay(p, transfer);
    }

    const bridged = p.bridged ?? (p.dialCallStatus === 'completed' && transfer.agentId !== null);
    await this.legsEnded(transfer, p, bridged);
    let reply: string;
    if (this.callOver(p)) {
      await this.deps.lines.release(p.callSid, 'caller-hung-up');
      await this.deps.store.updateTransfer(p.callSid, { state: 'ended' }, this.now());
      reply = emptyTwiml();
    } else if (bridged) {
      log.info({ attempt: p.attempt, agentId: transfer.agentId }, 'TRANSFER_ENDED: hanging up');
      await this.deps.store.updateTransfer(p.callSid, { state: 'ended' }, this.now());
      reply = hangupTwiml(this.deps.config.voicemail.transferDone);
    } else {
      // An agent accepted but Twilio never bridged (they hung up at once): the call rings on.
      if (transfer.state === 'bridged')
        await this.deps.store.updateTransfer(p.callSid, { state: 'ringing', agentId: null }, this.now());
      const next = await this.ringFrom(transfer, p.attempt + 1, p.origin);
      if (next) {
        await this.deps.store.updateTransfer(p.callSid, { attempt: next.attempt }, this.now());
        reply = next.twiml;
      } else {
        reply = await this.voicemail(p.callSid, 'no-answer', transfer.noAnswerPrompt, p.origin);
      }
    }
    await this.deps.store.updateTransfer(p.callSid, { reply }, this.now());
    log.info({ attempt: p.attempt, dialCallStatus: p.dialCallStatus, bridged }, 'DIAL_STATUS');
    return reply;
  }

  /** The call is over (terminal status callback): every line it still holds is freed. */
  async callEnded(callSid: string): Promise<void> {
    await this.deps.lines.release(callSid, 'call-ended');
  }

  private callOver(p: DialStatusInput): boolean {
    return p.callStatus !== undefined && isTerminalStatus(p.callStatus);
  }

  /** Every leg of the attempt is over: a leg that neither accepted nor declined is noted; all are freed. */
  private async legsEnded(t: TransferRecord, p: DialStatusInput, bridged: boolean): Promise<void> {
    for (const member of t.groups[p.attempt] ?? []) {
      const won = bridged && member.agentId === t.agentId;
      // A whisper answered with a key already ended its leg (the same key): this notes the rest.
      if (!won)
        await this.notes.note(
          p.callSid,
          'agent-no-answer',
          { agentId: member.agentId, attempt: p.attempt, dialCallStatus: p.dialCallStatus },
          TransferNotes.legEnd(p.callSid, p.attempt, member.agentId),
        );
      await this.deps.lines.release(p.callSid, won ? 'completed' : p.dialCallStatus, member.agentId);
    }
  }

  /** Rings the first group from `from` on whose lines can be held; undefined when none can. */
  private async ringFrom(
    t: TransferRecord,
    from: number,
    origin: string,
  ): Promise<{ attempt: number; twiml: string } | undefined> {
    const urls = transferUrls(origin);
    const call = await this.deps.store.getCall(t.callSid);
    for (let attempt = from; attempt < t.groups.length; attempt++) {
      const group = t.groups[attempt] ?? [];
      const held = await this.deps.lines.claim(t.callSid, group, t.ringSeconds);
      for (const skipped of group.filter((m) => !held.some((c) => c.agentId === m.agentId)))
        await this.notes.note(t.callSid, 'agent-skipped', {
          agentId: skipped.agentId,
          attempt,
          why: 'no free line, or no longer available',
        });
      if (held.length === 0) continue;
      await this.noteRinging(t, attempt, held);
      const twiml = transferDialTwiml({
        action: urls.dialStatus(attempt),
        timeoutSec: t.ringSeconds,
        // The agent's phone shows the number the caller dialled: a business call, announced by the whisper.
        ...(isE164(call?.toNumber) ? { callerId: call.toNumber } : {}),
        legs: held.map((c) => ({ address: c.phone, whisperUrl: urls.whisper(attempt, c.agentId) })),
      });
      return { attempt, twiml };
    }
    return undefined;
  }

  private async noteRinging(t: TransferRecord, attempt: number, held: Candidate[]): Promise<void> {
    for (const c of held)
      await this.notes.note(t.callSid, 'agent-ringing', {
        agentId: c.agentId,
        attempt,
        department: t.department,
        ringSeconds: t.ringSeconds,
      });
  }

  /** Nobody (more) to ring: voicemail with the department's no-answer prompt. */
  private async voicemail(
    callSid: string,
    reason: string,
    prompt: string | null,
    origin: string,
  ): Promise<string> {
    const transfer = await this.deps.store.getTransfer(callSid);
    await this.markVoicemail(callSid, reason, prompt);
    await this.noteVoicemail(callSid, reason, transfer?.department ?? null);
    return this.voicemailReply(prompt, origin);
  }

  private voicemailReply(prompt: string | null, origin: string): string {
    return voicemailTwiml({
      prompt: prompt ?? this.deps.config.voicemail.prompt,
      maxLengthSec: this.deps.config.voicemail.maxLengthSec,
      origin,
    });
  }

  private async noteVoicemail(callSid: string, reason: string, department: string | null): Promise<void> {
    await this.notes.note(callSid, 'voicemail', { reason, department }, `transfer:${callSid}:voicemail`);
    await this.deps.store
      .setCallOutcome(callSid, 'voicemail')
      .catch((err: unknown) => this.deps.log.error({ err, callSid }, 'TRANSFER_NOTE_FAILED'));
  }

  /**
   * A dial_status already taken: the first handler's answer, once it is stored. Anything else (a
   * callback for an attempt that is not ringing) gets voicemail: never a second <Dial>.
   */
  private async replay(p: DialStatusInput, transfer: TransferRecord): Promise<string> {
    const deadline = Date.now() + REPLAY_WAIT_MS;
    let t: TransferRecord | undefined = transfer;
    while (t && t.handled === p.attempt && t.reply === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      t = await this.deps.store.getTransfer(p.callSid);
    }
    if (t && t.handled === p.attempt && t.reply !== null) return t.reply;
    return this.callOver(p) ? emptyTwiml() : this.voicemailReply(transfer.noAnswerPrompt, p.origin);
  }
}
