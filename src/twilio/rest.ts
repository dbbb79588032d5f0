// Twilio's REST API as the call needs it: hang up and replace a live call's TwiML (transfer,
// voicemail). An interface so tests inject a client pointed at a faithful fake REST server.

export interface TwilioCallsApi {
  /** Ends a live call (Status=completed). A call that already ended is not an error. */
  hangUp(callSid: string): Promise<void>;
  /** Replaces the call's running TwiML (transfer with <Dial>, voicemail with <Record>). */
  updateTwiml(callSid: string, twiml: string): Promise<void>;
}
