// What the provider says about the responses we asked for: a failed one is retried once, two
// failures in a row end the model's part of the call (apology, voicemail); an error event is a
// refused response request, a harmless late cancel, or a warning worth logging.
import type { Logger } from 'pino';
import type { ResponseSequencer } from './responses.js';

export interface ResponseOutcomeHooks {
  log(): Logger;
  /** Whether the call is live, so a retry may be asked for. */
  live(): boolean;
  fail(reason: string): void;
}

export interface ProviderError {
  code?: string | null;
  type?: string;
  message?: string;
  event_id?: string | null;
}

export class ResponseOutcomes {
  private failedInRow = 0;

  constructor(
    private readonly responses: ResponseSequencer,
    private readonly hooks: ResponseOutcomeHooks,
  ) {}

  /** A response finished (response.done) with this status. */
  done(id: string, status: string | undefined, details: unknown): void {
    if (status === 'failed') {
      this.failedInRow += 1;
      this.hooks.log().warn({ responseId: id, details }, 'REALTIME_RESPONSE_FAILED');
      if (this.failedInRow >= 2) return this.hooks.fail('the model failed twice in a row');
      if (this.hooks.live()) this.responses.request(); // one retry
      return;
    }
    if (status === 'completed') this.failedInRow = 0;
  }

  error(error: ProviderError): void {
    const code = error.code ?? '';
    const conflict = code === 'conversation_already_has_active_response';
    if (this.responses.onRequestError(error.event_id ?? undefined, conflict)) {
      return this.hooks.log().debug({ code }, 'REALTIME_RESPONSE_REQUEST_REFUSED');
    }
    if (code === 'response_cancel_not_active') return; // the server had already stopped it
    this.hooks.log().warn({ code, type: error.type, message: error.message }, 'REALTIME_ERROR');
  }
}
