// Live call events: what happened to which call, for logs, metrics and the dashboard's live view.
// In-process today; a Redis fan-out can subscribe and republish across instances later.
import { EventEmitter } from 'node:events';

export type CallEventBody =
  | { type: 'call.started'; from: string | null; to: string | null }
  | { type: 'call.status'; status: string }
  | { type: 'stream.started'; streamSid: string }
  | { type: 'stream.stopped'; streamSid: string; closeCode: number | null; reason: string }
  | { type: 'transcript'; role: 'caller' | 'agent'; text: string }
  | { type: 'recording'; recordingSid: string; status: string | null }
  | { type: 'agent'; name: string; detail?: Record<string, unknown> }
  | { type: 'transfer'; step: string; detail: Record<string, unknown> }
  | { type: 'lead.saved'; leadId: number; fields: Record<string, unknown> }
  /** A timeline step the store kept: stream status (with Twilio's error code), transfer steps… */
  | {
      type: 'call.timeline';
      kind: string;
      name: string;
      twilioCode: number | null;
      detail: Record<string, unknown> | null;
    }
  /** A transcription or analysis finished: the call's transcript, summary or lead has new text. */
  | {
      type: 'job.done';
      job: 'transcribe' | 'analyze';
      recordingSid: string | null;
      /** The lead field an answer clip's text went to. */
      field: string | null;
    }
  | { type: 'call.ended' };

export type LiveCallEvent = CallEventBody & { callSid: string; at: Date };

export class CallEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Dashboards and bridges subscribe; none of them is a leak.
    this.emitter.setMaxListeners(0);
  }

  publish(event: LiveCallEvent): void {
    for (const listener of this.emitter.listeners('event')) {
      // A broken subscriber must never disturb the call that published.
      try {
        (listener as (e: LiveCallEvent) => void)(event);
      } catch {
        /* subscriber's problem; it logs its own errors */
      }
    }
  }

  /** Subscribers now: dashboards, bridges, test calls (a gauge in /metrics). */
  get subscribers(): number {
    return this.emitter.listenerCount('event');
  }

  subscribe(listener: (event: LiveCallEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
