// Sends `call.completed` to CRM_WEBHOOK_URL from the store's outbox. Every poll it sweeps ended
// calls into the outbox (idempotent), leases due items (one instance per item), POSTs each
// signed body, and settles it: delivered on 2xx, else retried with exponential backoff until
// it gives up. State lives in the store, so a restart (or another instance) carries on.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { CrmStore, OutboxItem } from '../store/crm-store.js';
import { WEBHOOK_HEADERS, signWebhook } from './webhook-signature.js';

export interface WebhookOutboxOptions {
  store: CrmStore;
  log: Logger;
  url: string;
  secret: string;
  /** Builds an event's body once, at its first attempt. */
  payload(item: OutboxItem): Promise<unknown>;
  pollMs?: number;
  /** Must exceed timeoutMs: a lease outliving its request keeps a second sender away. */
  leaseMs?: number;
  timeoutMs?: number;
  settleMs?: number;
  streamGraceMs?: number;
  lookbackMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

const DEFAULTS = {
  pollMs: 2000,
  leaseMs: 60_000,
  timeoutMs: 10_000,
  settleMs: 2000,
  streamGraceMs: 2 * 60_000,
  lookbackMs: 60 * 60_000,
  maxAttempts: 12,
  backoffBaseMs: 10_000,
  backoffMaxMs: 60 * 60_000,
};

export class WebhookOutbox {
  /** Who holds a lease: unique per process start. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly o: typeof DEFAULTS & WebhookOutboxOptions;
  private readonly aborter = new AbortController();
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly host: string;

  constructor(options: WebhookOutboxOptions) {
    this.o = { ...DEFAULTS, ...options };
    // The URL itself may carry a token (Zapier, Make): only its host is logged.
    this.host = new URL(options.url).host;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops polling and aborts a request in flight (its item is released for a retry). */
  async stop(): Promise<void> {
    this.aborter.abort();
    this.wake?.();
    await this.running;
  }

  /** Exponential backoff with ±20 % jitter, so instances retrying together spread out. */
  private backoffMs(attempts: number): number {
    const exact = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempts - 1));
    return Math.round(exact * (0.8 + Math.random() * 0.4));
  }

  private async loop(): Promise<void> {
    this.o.log.info({ host: this.host }, 'WEBHOOK_OUTBOX_STARTED');
    while (!this.aborter.signal.aborted) {
      try {
        await this.tick();
      } catch (err) {
        this.o.log.error({ err }, 'WEBHOOK_OUTBOX_FAILED: retrying at the next poll');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async tick(): Promise<void> {
    const { store } = this.o;
    await store.enqueueCompletedCalls({
      now: new Date(),
      settleMs: this.o.settleMs,
      streamGraceMs: this.o.streamGraceMs,
      lookbackMs: this.o.lookbackMs,
    });
    const items = await store.claimOutbox({
      owner: this.owner,
      now: new Date(),
      leaseMs: this.o.leaseMs,
      limit: 10,
    });
    for (const item of items) {
      if (this.aborter.signal.aborted) {
        await this.settle(item, 'not sent: the server is stopping', new Date());
        continue;
      }
      await this.deliver(item);
    }
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const log = this.o.log.child({ callSid: item.callSid, attempt: item.attempts });
    let status: number;
    try {
      const body =
        item.payload ??
        (await this.o.store.freezeOutboxPayload(item.id, JSON.stringify(await this.o.payload(item))));
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(this.o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'AgentLocator-Webhook/1',
          [WEBHOOK_HEADERS.event]: item.type,
          [WEBHOOK_HEADERS.delivery]: item.eventKey,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(this.o.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.o.timeoutMs)]),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (err) {
      const reason = this.aborter.signal.aborted ? 'aborted: the server is stopping' : (err as Error).message;
      return this.settle(item, reason, new Date());
    }
    if (status >= 200 && status < 300) {
      const mine = await this.o.store.markOutboxDelivered(item.id, this.owner, new Date());
      if (mine) log.info({ host: this.host, status }, 'WEBHOOK_DELIVERED');
      else
        log.warn({ host: this.host, status }, 'WEBHOOK_DELIVERED after the lease passed to another sender');
      return;
    }
    return this.settle(item, `HTTP ${status}`, new Date());
  }

  /** A failed attempt: retry after the backoff, or give up after maxAttempts. */
  private async settle(item: OutboxItem, error: string, now: Date): Promise<void> {
    const log = this.o.log.child({ callSid: item.callSid, attempt: item.attempts });
    const stopping = this.aborter.signal.aborted;
    const giveUp = !stopping && item.attempts >= this.o.maxAttempts;
    // Stopping is not the receiver's fault: the item is free for the next instance at once.
    const retryAt = giveUp ? null : new Date(now.getTime() + (stopping ? 0 : this.backoffMs(item.attempts)));
    await this.o.store.markOutboxFailed(item.id, this.owner, { error, retryAt, at: now });
    if (giveUp) log.error({ host: this.host, error }, 'WEBHOOK_GAVE_UP');
    else log.warn({ host: this.host, error, retryAt }, 'WEBHOOK_RETRY');
  }
}
