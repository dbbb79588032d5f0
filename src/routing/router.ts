// The routing interface: who should take a caller. The agent locator issue implements it with a
// directory of human agents; until then the voicemail router sends everyone to voicemail.

export interface RouteRequest {
  callSid: string;
  from: string | null;
  /** A department or skill the caller asked for (DTMF menu, intent, tool argument). */
  department?: string;
  /** A specific person, when the caller named one. */
  person?: string;
  /** `last`: ring first the agent who handled this caller last (sticky routing), if they can take it. */
  preferAgentOf?: 'last';
}

/** Where to send a caller. */
export type TransferTarget =
  { kind: 'dial'; number: string; label: string } | { kind: 'voicemail'; reason: string };

export interface Router {
  route(request: RouteRequest): Promise<TransferTarget>;
}

export const voicemailRouter: Router = {
  async route() {
    return { kind: 'voicemail', reason: 'no human agents configured' };
  },
};
