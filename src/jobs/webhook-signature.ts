// The signature on webhooks we send: HMAC-SHA256 with CRM_WEBHOOK_SECRET over `timestamp.body`
// (the raw body), sent as `X-AgentLocator-Signature: sha256=<hex>` beside the timestamp header,
// so a receiver can refuse forged and replayed requests.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_HEADERS = {
  signature: 'x-agentlocator-signature',
  timestamp: 'x-agentlocator-timestamp',
  /** The same on every retry of one event: the receiver's idempotency key. */
  delivery: 'x-agentlocator-delivery',
  event: 'x-agentlocator-event',
} as const;

export function signWebhook(secret: string, timestampSec: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex')}`;
}

/** What a receiver does: a matching signature on a timestamp within `toleranceSec` of now. */
export function verifyWebhook(
  secret: string,
  request: { signature: string | undefined; timestamp: string | undefined; body: string },
  nowSec = Math.floor(Date.now() / 1000),
  toleranceSec = 300,
): boolean {
  const ts = Number(request.timestamp);
  if (!request.signature || !Number.isSafeInteger(ts) || Math.abs(nowSec - ts) > toleranceSec) return false;
  const expected = Buffer.from(signWebhook(secret, ts, request.body));
  const given = Buffer.from(request.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
