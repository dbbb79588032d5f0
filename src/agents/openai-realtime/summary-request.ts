// The post-call summary request: one out-of-band, text-only response on the call's own session
// (so the model has the whole conversation), matched by its metadata and bounded in time.
import { createResponse } from './client-events.js';
import type { RealtimeProtocol } from './endpoint.js';
import { SUMMARY_INSTRUCTIONS } from './instructions.js';
import { bounded } from './agent-config.js';
import { responseText, type ServerEvent } from './server-events.js';

const PURPOSE = 'call_summary';

export class SummaryRequest {
  private responseId: string | undefined;
  private text = '';
  private resolve: ((text: string | undefined) => void) | undefined;

  /** Asks for the summary; resolves with the model's text, or undefined (refused, failed, late). */
  run(
    send: (event: string) => boolean,
    protocol: RealtimeProtocol,
    timeoutMs: number,
  ): Promise<string | undefined> {
    const answer = new Promise<string | undefined>((resolve) => {
      this.resolve = resolve;
      const request = createResponse(
        {
          instructions: SUMMARY_INSTRUCTIONS,
          textOnly: true,
          outOfBand: true,
          metadata: { purpose: PURPOSE },
        },
        protocol,
      );
      if (!send(request)) resolve(undefined);
    });
    return bounded(answer, timeoutMs).finally(() => {
      this.resolve = undefined;
    });
  }

  /** The session closed: no answer will come. */
  abort(): void {
    this.resolve?.(undefined);
  }

  /** Takes the summary response's events; true when the event was one of them. */
  onEvent(e: ServerEvent): boolean {
    const resolve = this.resolve;
    if (!resolve) return false;
    if (e.type === 'response.created' && e.response.metadata?.purpose === PURPOSE) {
      this.responseId = e.response.id;
      return true;
    }
    if (
      e.type === 'response.output_text.done' &&
      e.response_id !== undefined &&
      e.response_id === this.responseId
    ) {
      this.text += e.text;
      return true;
    }
    if (
      e.type === 'response.done' &&
      (e.response.id === this.responseId || e.response.metadata?.purpose === PURPOSE)
    ) {
      resolve(e.response.status === 'completed' ? responseText(e.response) || this.text : undefined);
      return true;
    }
    return false;
  }
}
