// The bus contract on every backend: two instances on one channel see each other's messages and
// their own, in one order; a message too big for PostgreSQL's NOTIFY is refused on all of them;
// a bad envelope on the channel is dropped, not thrown. Redis and PostgreSQL run when their
// TEST_* variable is set, else show as skipped with the reason.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MAX_BUS_MESSAGE_BYTES, type EventBus } from '../../src/bus/event-bus.js';
import { createLocalBus } from '../../src/bus/local-bus.js';
import { createPostgresBus } from '../../src/bus/postgres-bus.js';
import { createRedisBus } from '../../src/bus/redis-bus.js';
import { useCleanup } from '../support/cleanup.js';
import { until } from '../support/until.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || undefined;
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;
const log = pino({ level: 'silent' });

interface Backend {
  name: string;
  skip: string | undefined;
  /** Two buses on one fresh channel (two instances), and a raw publish onto that channel. */
  pair(): { a: EventBus; b: EventBus; raw: (text: string) => Promise<void> };
}

const channel = () => `t_bus_${randomBytes(5).toString('hex')}`;

const backends: Backend[] = [
  {
    name: 'in-process',
    skip: undefined,
    pair() {
      // One process is one instance: "the other instance" is the same bus.
      const a = createLocalBus();
      return { a, b: a, raw: async () => undefined };
    },
  },
  {
    name: 'Redis pub/sub',
    skip: TEST_REDIS_URL ? undefined : 'set TEST_REDIS_URL',
    pair() {
      const ch = channel();
      const url = TEST_REDIS_URL ?? '';
      return {
        a: createRedisBus({ url, channel: ch, instance: 'a', log }),
        b: createRedisBus({ url, channel: ch, instance: 'b', log }),
        async raw(text) {
          const r = new Redis(url);
          await r.publish(ch, text);
          r.disconnect();
        },
      };
    },
  },
  {
    name: 'PostgreSQL LISTEN/NOTIFY',
    skip: TEST_DATABASE_URL ? undefined : 'set TEST_DATABASE_URL',
    pair() {
      const ch = channel();
      const databaseUrl = TEST_DATABASE_URL ?? '';
      return {
        a: createPostgresBus({ databaseUrl, channel: ch, instance: 'a', log }),
        b: createPostgresBus({ databaseUrl, channel: ch, instance: 'b', log }),
        async raw(text) {
          const c = new pg.Client({ connectionString: databaseUrl });
          await c.connect();
          await c.query('select pg_notify($1, $2)', [ch, text]);
          await c.end();
        },
      };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(
    `event bus: ${backend.name}${backend.skip ? ` (skipped: ${backend.skip})` : ''}`,
    () => {
      const defer = useCleanup();
      const open = async () => {
        const p = backend.pair();
        defer(() => p.a.close());
        if (p.b !== p.a) defer(() => p.b.close());
        await Promise.all([p.a.ready(), p.b.ready()]);
        return p;
      };

      it('delivers to both instances, the publisher included, in one order', async () => {
        const { a, b } = await open();
        const seenA: unknown[] = [];
        const seenB: unknown[] = [];
        const other: unknown[] = [];
        a.subscribe('call.end', (m) => seenA.push(m));
        b.subscribe('call.end', (m) => seenB.push(m));
        b.subscribe('other', (m) => other.push(m));
        for (let n = 0; n < 20; n++) expect((n % 2 ? a : b).publish('call.end', { n })).toBe(true);
        await until(
          () => seenA.length === 20 && seenB.length === 20,
          () => `20 each, got ${seenA.length}/${seenB.length}`,
        );
        expect(seenB).toEqual(seenA);
        expect(new Set(seenA.map((m) => (m as { n: number }).n)).size).toBe(20);
        expect(other).toEqual([]);
      });

      it('refuses a message over the size every backend can carry', async () => {
        const { a } = await open();
        const seen: unknown[] = [];
        a.subscribe('big', (m) => seen.push(m));
        expect(a.publish('big', { text: 'x'.repeat(MAX_BUS_MESSAGE_BYTES) })).toBe(false);
        expect(a.publish('big', { text: 'x'.repeat(MAX_BUS_MESSAGE_BYTES - 100) })).toBe(true);
        await until(() => seen.length === 1, 'the message that fits');
      });

      it('drops what is not an envelope and keeps delivering; a throwing handler harms no other', async () => {
        const { a, b, raw } = await open();
        const seen: unknown[] = [];
        b.subscribe('t', () => {
          throw new Error('handler bug');
        });
        b.subscribe('t', (m) => seen.push(m));
        await raw('not json');
        await raw('{"no":"topic"}');
        a.publish('t', { ok: 1 });
        await until(() => seen.length === 1, 'the good message after the bad ones');
        expect(seen).toEqual([{ ok: 1 }]);
      });

      it('after close, publish says no and nothing arrives', async () => {
        const { a, b } = await open();
        const seen: unknown[] = [];
        b.subscribe('t', (m) => seen.push(m));
        await a.close();
        expect(a.publish('t', { late: true })).toBe(false);
        if (b !== a) {
          b.publish('t', { marker: true });
          await until(() => seen.length === 1, 'the marker from the open bus');
          expect(seen).toEqual([{ marker: true }]);
        }
      });
    },
  );
}
