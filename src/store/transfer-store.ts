// The transfer's part of the Store: one row per call that is being (or was) handed to a person —
// the ring groups the route gave, which <Dial> attempt is ringing, the dial_status callbacks
// already handled (retries replay their answer), who accepted, and a voicemail's reason and prompt.

export type TransferState = 'ringing' | 'bridged' | 'voicemail' | 'ended';

/** One agent of a ring group, as the route gave it (the phone is the directory's, never a caller's). */
export interface TransferMember {
  agentId: string;
  name: string;
  phone: string;
}

export interface NewTransfer {
  callSid: string;
  state: TransferState;
  department: string | null;
  /** What the whisper says the call is about (the department, or the caller's need). */
  topic: string | null;
  ringSeconds: number;
  groups: TransferMember[][];
  noAnswerPrompt: string | null;
  /** The group whose <Dial> rings now; -1 when none does. */
  attempt: number;
  voicemailReason: string | null;
  /** Said before the voicemail beep; null: nothing (the caller already heard why). */
  voicemailPrompt: string | null;
  at: Date;
}

export interface TransferRecord extends Omit<NewTransfer, 'at'> {
  /** The latest attempt whose dial_status was handled; -1 before any. */
  handled: number;
  /** The TwiML answered to that dial_status (a retry gets it again). */
  reply: string | null;
  /** The agent who accepted the whisper first. */
  agentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TransferPatch {
  state?: TransferState;
  /** Only to clear an acceptance Twilio never bridged (null). */
  agentId?: null;
  attempt?: number;
  reply?: string;
  voicemailReason?: string | null;
  voicemailPrompt?: string | null;
}

export interface TransferStore {
  /** Creates the call's transfer, or replaces the one it had. */
  saveTransfer(transfer: NewTransfer): Promise<void>;
  getTransfer(callSid: string): Promise<TransferRecord | undefined>;
  /**
   * Takes the dial_status of `attempt` for handling, atomically: true for exactly one caller (the
   * first), false for a retry or a callback of an attempt that is not the one ringing.
   */
  takeDialStatus(callSid: string, attempt: number, at: Date): Promise<boolean>;
  updateTransfer(callSid: string, patch: TransferPatch, at: Date): Promise<void>;
  /** The first agent to accept while `attempt` rings wins (true); everyone after gets false. */
  acceptTransfer(callSid: string, attempt: number, agentId: string, at: Date): Promise<boolean>;
}
