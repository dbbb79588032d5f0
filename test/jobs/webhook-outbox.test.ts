// The call.completed webhook against a real HTTP receiver on port 0, on every store backend:
// signed attempts, 500 then 200 delivered once, a restart mid-retry, a dead sender's lease taken
// over, two instances sending each event once, giving up, and a stop that frees its item.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { expect, it } from 'vitest';
import { callCompletedPayload } from '../../src/api/webhook-payload.js';
import { WebhookOutbox, type WebhookOutboxOptions } from '../../src/jobs/webhook-outbox.js';
import { WEBHOOK_HEADERS, verifyWebhook } from '../../src/jobs/webhook-signature.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { makeCall } from '../support/crm-fixtures.js';
import { describeEachStore } from '../support/databases.js';
import { LogCapture } from '../support/server.js';

const SECRET = 'outbox-test-secret-0123456789';

interface Delivery {
  id: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number | 'hung';
}

/** A receiver answering request n (0-based, across all events) with `answer(n)`. */
async function startReceiver(answer: (n: number) => number | 'hang') {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const status = answer(deliveries.length);
      deliveries.push({
        id: String(req.headers[WEBHOOK_HEADERS.delivery]),
        headers: req.headers,
        body,
        status: status === 'hang' ? 'hung' : status,
      });
      if (status !== 'hang') res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    of: (callSid: string) => deliveries.filter((d) => d.id === `call.completed:${callSid}`),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A call that ended 30 s ago with its stream closed: due for the webhook. */
const endedCall = (store: KyselyStore, lead?: Record<string, unknown>) =>
  makeCall(store, {
    startedAt: new Date(Date.now() - 90_000),
    summary: 'רוצה הצעת מחיר',
    ...(lead ? { lead } : {}),
  });

describeEachStore('webhook outbox', (target) => {
  const workers: WebhookOutbox[] = [];
  const worker = (
    store: KyselyStore,
    url: string,
    extra: Partial<WebhookOutboxOptions> = {},
    logs = new LogCapture(),
  ) => {
    const w = new WebhookOutbox({
      store,
      log: pino({ level: 'info' }, logs),
      url,
      secret: SECRET,
      payload: (item) => callCompletedPayload(store, item, 'crm.example.com', new Date()),
      pollMs: 20,
      settleMs: 0,
      backoffBaseMs: 50,
      backoffMaxMs: 200,
      timeoutMs: 2000,
      leaseMs: 3000,
      ...extra,
    });
    workers.push(w);
    w.start();
    return w;
  };
  const delivered = (store: KyselyStore, callSid: string) => async () =>
    (await store.getOutboxItem(`call.completed:${callSid}`))?.deliveredAt instanceof Date;
  const stores: KyselyStore[] = [];
  const open = async (): Promise<KyselyStore> => {
    const store = await target.open();
    stores.push(store);
    return store;
  };
  const reopen = async (opts: Parameters<typeof target.reopen>[0]): Promise<KyselyStore> => {
    const store = await target.reopen(opts);
    stores.push(store);
    return store;
  };
  /** Workers first (they use the stores), then the stores: PostgreSQL connections are shared. */
  const stopAll = async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(stores.splice(0).map((s) => s.close()));
  };

  it('signs every attempt; answered 500 then 200 it is delivered once, same body and delivery id', async () => {
    const store = await open();
    const receiver = await startReceiver((n) => (n === 0 ? 500 : 200));
    try {
      const c = await endedCall(store, { name: 'דנה' });
      worker(store, receiver.url);
      await until('delivery', delivered(store, c.callSid));
      // Another event going through afterwards shows the worker kept running past the first.
      const next = await endedCall(store);
      await until('the next delivery', delivered(store, next.callSid));

      const attempts = receiver.of(c.callSid);
      expect(attempts.map((a) => a.status)).toEqual([500, 200]);
      expect(attempts[1]!.body).toBe(attempts[0]!.body);
      for (const a of attempts) {
        expect(a.headers['content-type']).toBe('application/json');
        expect(a.headers[WEBHOOK_HEADERS.event]).toBe('call.completed');
        expect(a.headers[WEBHOOK_HEADERS.signature]).toMatch(/^sha256=[0-9a-f]{64}$/);
        const signed = {
          signature: a.headers[WEBHOOK_HEADERS.signature] as string,
          timestamp: a.headers[WEBHOOK_HEADERS.timestamp] as string,
          body: a.body,
        };
        expect(verifyWebhook(SECRET, signed)).toBe(true);
        expect(verifyWebhook('another-secret-0123456789', signed)).toBe(false);
        expect(verifyWebhook(SECRET, { ...signed, body: a.body.replace('דנה', 'dana') })).toBe(false);
      }
      expect(JSON.parse(attempts[0]!.body)).toMatchObject({
        id: `call.completed:${c.callSid}`,
        type: 'call.completed',
        call: { callSid: c.callSid, from: c.from, status: 'completed', outcome: 'answered' },
        contact: { phone: c.from },
        lead: { status: 'new', fields: { name: 'דנה' } },
        summary: 'רוצה הצעת מחיר',
        transcriptUrl: `https://crm.example.com/api/v1/calls/${c.callSid}`,
      });
      expect(await store.getOutboxItem(`call.completed:${c.callSid}`)).toMatchObject({
        attempts: 2,
        lastError: null,
      });
    } finally {
      await stopAll();
      await receiver.close();
    }
  });

  it('a restart in the middle of retrying still delivers once', async () => {
    const opts = await target.freshOptions();
    const before = await reopen(opts);
    const receiver = await startReceiver((n) => (n === 0 ? 500 : 200));
    try {
      const c = await endedCall(before);
      const first = worker(before, receiver.url, { backoffBaseMs: 1000 });
      await until('the failed first attempt', async () => {
        const item = await before.getOutboxItem(`call.completed:${c.callSid}`);
        return item?.lastError === 'HTTP 500' && item.leaseOwner === null;
      });
      await first.stop();
      await before.close();

      const after = await reopen(opts);
      worker(after, receiver.url);
      await until('delivery after the restart', delivered(after, c.callSid));
      expect(receiver.of(c.callSid).map((a) => a.status)).toEqual([500, 200]);
    } finally {
      await stopAll();
      await receiver.close();
    }
  });

  it('takes over the lease of a sender that died mid-send only when it ends', async () => {
    const store = await open();
    const receiver = await startReceiver(() => 200);
    try {
      const c = await endedCall(store);
      await store.enqueueCompletedCalls({
        now: new Date(),
        settleMs: 0,
        streamGraceMs: 120_000,
        lookbackMs: 3_600_000,
      });
      const [held] = await store.claimOutbox({
        owner: 'crashed-instance',
        now: new Date(),
        leaseMs: 800,
        limit: 1,
      });
      expect(held?.callSid).toBe(c.callSid);
      worker(store, receiver.url);
      await until('delivery', delivered(store, c.callSid));
      const item = (await store.getOutboxItem(`call.completed:${c.callSid}`))!;
      expect(item.deliveredAt!.getTime()).toBeGreaterThanOrEqual(held!.leaseUntil!.getTime());
      expect(receiver.of(c.callSid)).toHaveLength(1);
    } finally {
      await stopAll();
      await receiver.close();
    }
  });

  it('two instances on one database send each event once', async () => {
    const opts = await target.freshOptions();
    const a = await reopen(opts);
    const b = await reopen(opts);
    const receiver = await startReceiver(() => 200);
    try {
      const calls = [];
      for (let i = 0; i < 6; i++) calls.push(await endedCall(a));
      worker(a, receiver.url);
      worker(b, receiver.url);
      for (const c of calls) await until('delivery', delivered(a, c.callSid));
      for (const c of calls) expect(receiver.of(c.callSid)).toHaveLength(1);
      expect(receiver.deliveries).toHaveLength(6);
    } finally {
      await stopAll();
      await receiver.close();
    }
  });

  it('gives up after the last attempt and says so', async () => {
    const store = await open();
    const receiver = await startReceiver(() => 500);
    const logs = new LogCapture();
    try {
      const c = await endedCall(store);
      worker(store, receiver.url, { maxAttempts: 3 }, logs);
      await until(
        'giving up',
        async () => (await store.getOutboxItem(`call.completed:${c.callSid}`))?.failedAt instanceof Date,
      );
      expect(receiver.of(c.callSid)).toHaveLength(3);
      expect(logs.find('WEBHOOK_GAVE_UP')).toEqual([
        expect.objectContaining({ callSid: c.callSid, attempt: 3, host: expect.any(String) }),
      ]);
      // The log names the receiver's host, never its URL (which may carry a token).
      expect(JSON.stringify(logs.lines)).not.toContain('/hook');
    } finally {
      await stopAll();
      await receiver.close();
    }
  });

  it('a stop during a send aborts it and frees the event for the next sender at once', async () => {
    const store = await open();
    const receiver = await startReceiver((n) => (n === 0 ? 'hang' : 200));
    try {
      const c = await endedCall(store);
      const first = worker(store, receiver.url, { leaseMs: 60_000, timeoutMs: 30_000 });
      await until('the hung request', () => receiver.of(c.callSid).length === 1);
      await first.stop();
      const freed = (await store.getOutboxItem(`call.completed:${c.callSid}`))!;
      expect(freed).toMatchObject({
        leaseOwner: null,
        deliveredAt: null,
        lastError: expect.stringContaining('stopping'),
      });
      expect(freed.availableAt.getTime()).toBeLessThanOrEqual(Date.now());
      worker(store, receiver.url);
      await until('delivery by the next sender', delivered(store, c.callSid));
      expect(receiver.of(c.callSid).map((d) => d.status)).toEqual(['hung', 200]);
    } finally {
      await stopAll();
      await receiver.close();
    }
  });
});
