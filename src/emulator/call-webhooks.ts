// What an emulated call asks of the server over HTTP, with Twilio's parameters: the first TwiML
// document (the webhook, then the fallback URL), the next one after an action, redirect or REST
// update, and the status callbacks, numbered in the order they are sent.
import type { CallHttp, DocResult } from './call-http.js';
import { standardParams, statusCallbackParams, type CallIdentity } from './params.js';
import type { Interrupt, VerbOutcome } from './runtime.js';
import type { Method } from './twiml-parse.js';
import type { HttpExchange, PlaceCallOptions, StatusCallbackArgs, StatusEvent } from './types.js';

export class CallWebhooks {
  private statusSeq = 0;

  constructor(
    private readonly http: CallHttp,
    private readonly opts: PlaceCallOptions,
    private readonly identity: CallIdentity,
    /** When the call started (the callbacks' Timestamp base). */
    private readonly startTime: Date,
  ) {}

  /** Standard request parameters with this CallStatus. */
  params(callStatus: string): Record<string, string> {
    return standardParams(this.identity, callStatus);
  }

  /** The webhook (then the fallback URL, if any): the first TwiML document. */
  async firstDocument(): Promise<DocResult> {
    const method = this.opts.webhookMethod ?? 'POST';
    const params = { ...this.params('ringing'), ...this.opts.extraParams };
    const first = await this.http.fetchDocument('webhook', this.opts.webhookUrl, method, params);
    if (first.ok || !this.opts.fallbackUrl) return first;
    return this.http.fetchDocument('fallback', this.opts.fallbackUrl, method, {
      ...params,
      ErrorCode: String(first.code),
      ErrorUrl: this.opts.webhookUrl,
    });
  }

  /** The TwiML a REST update asks for: inline TwiML, or a document fetched from its Url. */
  async updateDocument(update: Extract<Interrupt, { kind: 'update' }>): Promise<DocResult> {
    if (update.twiml !== undefined) return this.http.inlineDocument(update.twiml);
    return this.http.fetchDocument('rest-url', update.url ?? '', update.method, this.params('in-progress'));
  }

  /** Requests TwiML (an action or redirect) with the standard parameters plus `extra`. */
  async fetchNext(
    purpose: 'action' | 'redirect',
    url: string,
    method: Method,
    extra: Record<string, string>,
    callStatus = 'in-progress',
  ): Promise<VerbOutcome> {
    const result = await this.http.fetchDocument(purpose, url, method, {
      ...this.params(callStatus),
      ...extra,
    });
    return result.ok ? { kind: 'goto', doc: result.doc } : { kind: 'end', by: 'error' };
  }

  /** The status callback for `event`, if the call asked for that event. */
  async progress(event: StatusEvent, status: string): Promise<void> {
    const url = this.opts.statusCallbackUrl;
    const wanted = this.opts.statusCallbackEvents ?? ['completed'];
    if (!url || !wanted.includes(event)) return;
    await this.http.postCallback(
      'status-callback',
      url,
      this.opts.statusCallbackMethod ?? 'POST',
      this.statusParams(status),
    );
  }

  /** Posts a call status callback now (any status, any sequence number) — for tests of ordering. */
  async sendStatusCallback(args: StatusCallbackArgs): Promise<HttpExchange> {
    const url = args.url ?? this.opts.statusCallbackUrl;
    if (!url) throw new Error('no status callback URL: pass one or set statusCallbackUrl');
    return this.http.postCallback('status-callback', url, this.opts.statusCallbackMethod ?? 'POST', {
      ...this.statusParams(args.status, args.sequenceNumber),
      ...args.extra,
    });
  }

  private statusParams(status: string, sequenceNumber?: number): Record<string, string> {
    return statusCallbackParams(this.identity, status, sequenceNumber ?? this.statusSeq++, this.startTime);
  }
}
