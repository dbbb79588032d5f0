// A transfer's steps on the call's timeline (kind "transfer": transfer-requested, agent-ringing,
// agent-answered, agent-declined, agent-no-answer, agent-skipped, voicemail) and as live events
// for the dashboard. Details name departments and agent ids, never a phone number.
import type { Logger } from 'pino';
import type { CallEvents } from '../call-events.js';
import type { Store } from '../../store/store.js';

export type TransferStep =
  | 'transfer-requested'
  | 'agent-ringing'
  | 'agent-answered'
  | 'agent-declined'
  | 'agent-no-answer'
  | 'agent-skipped'
  | 'voicemail';

export interface TransferNotesDeps {
  store: Pick<Store, 'addCallEvent'>;
  events: CallEvents;
  log: Logger;
  now: () => Date;
  /** Transfers by result (server/metrics.ts): requested, answered, voicemail. */
  transfers?: { inc(labels: { result: string }): void };
}

/** The steps that are a transfer's result, as the metric names them. */
const RESULTS: Partial<Record<TransferStep, string>> = {
  'transfer-requested': 'requested',
  'agent-answered': 'answered',
  voicemail: 'voicemail',
};

export class TransferNotes {
  constructor(private readonly deps: TransferNotesDeps) {}

  /**
   * Notes one step; with a dedupe key a step is noted once (an agent's leg ends once per attempt,
   * however many callbacks say so). False when it was already noted or the store failed.
   */
  async note(
    callSid: string,
    step: TransferStep,
    detail: Record<string, unknown>,
    dedupeKey?: string,
  ): Promise<boolean> {
    const at = this.deps.now();
    let stored: boolean;
    try {
      stored = await this.deps.store.addCallEvent({
        callSid,
        kind: 'transfer',
        name: step,
        detail,
        at,
        ...(dedupeKey ? { dedupeKey } : {}),
      });
    } catch (err) {
      this.deps.log.error({ err, callSid, step }, 'TRANSFER_NOTE_FAILED');
      return false;
    }
    if (stored) {
      this.deps.events.publish({ type: 'transfer', callSid, step, detail, at });
      const result = RESULTS[step];
      if (result) this.deps.transfers?.inc({ result });
    }
    return stored;
  }

  /** The key under which an agent's leg of one attempt ends (answered, declined or not answered). */
  static legEnd(callSid: string, attempt: number, agentId: string): string {
    return `transfer:${callSid}:${attempt}:${agentId}`;
  }
}
