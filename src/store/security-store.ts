// What the store remembers for the security checks: whether a call's incoming_call webhook was
// signed, so a stream claim can require it when the stream upgrade's own signature is relaxed.

export interface SecurityStore {
  /** The call's incoming_call carried a valid X-Twilio-Signature (a retry may be the first that did). */
  markCallSigned(callSid: string): Promise<void>;
  /** claimStream for a call marked signed only: false for an unsigned, unknown, ended or claimed call. */
  claimSignedStream(callSid: string, at: Date): Promise<boolean>;
  /**
   * A handed-over call's new stream takes over the claim: true only while the claim is still the
   * one the handing-over stream made (`previous`) and the call is live, so a handover is used once.
   * `signedOnly` also requires the call's incoming_call to have been signed (as claimSignedStream).
   */
  reclaimStream(callSid: string, previous: Date, at: Date, signedOnly: boolean): Promise<boolean>;
}
