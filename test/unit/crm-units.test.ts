// The CRM's pure pieces: CSV cells, byte ranges, days in a zone, webhook signatures, the live
// feed's ring and back-pressure, and the configuration it reads.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseByteRange } from '../../src/api/byte-range.js';
import { csvCell, csvLine } from '../../src/api/csv.js';
import { LiveFeed, type FeedOutput } from '../../src/api/live-feed.js';
import {
  addDays,
  localDate,
  localDateTime,
  offsetSegments,
  startOfLocalDay,
} from '../../src/api/zoned-time.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import { signWebhook, verifyWebhook } from '../../src/jobs/webhook-signature.js';
import { LogCapture } from '../support/server.js';

describe('CSV cells', () => {
  it('quotes what needs quoting and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell('שלום, עולם')).toBe('"שלום, עולם"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(-3)).toBe('-3'); // a number is data, not a formula
    expect(csvCell(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    for (const text of ['=1+1', '+972501234567', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
      expect(csvCell(text).replace(/^"|"$/g, '').startsWith(`'`)).toBe(true);
    }
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });
});

describe('byte ranges', () => {
  it('reads one range of each form, clamps the end and refuses what lies outside', () => {
    expect(parseByteRange(undefined, 100)).toBeNull();
    expect(parseByteRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseByteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseByteRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseByteRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseByteRange('bytes=50-5000', 100)).toEqual({ start: 50, end: 99 });
    expect(parseByteRange('bytes=100-', 100)).toBeUndefined();
    expect(parseByteRange('bytes=9-1', 100)).toBeUndefined();
    expect(parseByteRange('bytes=-0', 100)).toBeUndefined();
    expect(parseByteRange('bytes=0-1,5-6', 100)).toBeNull(); // several: the whole file
    expect(parseByteRange('items=0-1', 100)).toBeNull();
  });
});

describe('days in a time zone', () => {
  const tz = 'Asia/Jerusalem';
  it('finds local midnights and dates on both sides of DST', () => {
    expect(new Date(startOfLocalDay('2026-01-15', tz)).toISOString()).toBe('2026-01-14T22:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-07-15', tz)).toISOString()).toBe('2026-07-14T21:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-03-27', tz)).toISOString()).toBe('2026-03-26T22:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-03-28', tz)).toISOString()).toBe('2026-03-27T21:00:00.000Z');
    expect(localDate(Date.parse('2026-12-01T21:59:59Z'), tz)).toBe('2026-12-01');
    expect(localDate(Date.parse('2026-12-01T22:00:00Z'), tz)).toBe('2026-12-02');
    expect(localDateTime(Date.parse('2026-07-01T09:05:07Z'), tz)).toBe('2026-07-01 12:05:07');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('cuts a range exactly where the offset changes', () => {
    const year = offsetSegments(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'), tz);
    expect(year.map((s) => [s.from.toISOString(), s.offsetMs / 3_600_000])).toEqual([
      ['2026-01-01T00:00:00.000Z', 2],
      ['2026-03-27T00:00:00.000Z', 3],
      ['2026-10-24T23:00:00.000Z', 2],
    ]);
    expect(year.at(-1)!.to.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    const utc = offsetSegments(0, 86_400_000 * 3, 'UTC');
    expect(utc).toEqual([{ from: new Date(0), to: new Date(86_400_000 * 3), offsetMs: 0 }]);
  });
});

describe('webhook signatures', () => {
  it('signs timestamp.body and verifies within the tolerance only', () => {
    const body = '{"type":"call.completed"}';
    const signature = signWebhook('secret-0123456789abcdef', 1_800_000_000, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    const request = { signature, timestamp: '1800000000', body };
    expect(verifyWebhook('secret-0123456789abcdef', request, 1_800_000_100)).toBe(true);
    expect(verifyWebhook('secret-0123456789abcdef', request, 1_800_000_301)).toBe(false);
    expect(
      verifyWebhook('secret-0123456789abcdef', { ...request, timestamp: '1800000001' }, 1_800_000_000),
    ).toBe(false);
    expect(
      verifyWebhook('secret-0123456789abcdef', { ...request, signature: undefined }, 1_800_000_000),
    ).toBe(false);
  });
});

class FakeOutput implements FeedOutput {
  readonly chunks: string[] = [];
  writableLength = 0;
  ended = false;
  destroyed = false;
  /** While true, writes pile up as a socket whose peer stopped reading. */
  stalled = false;
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    if (this.stalled) this.writableLength += chunk.length;
    return !this.stalled;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  frames(): string[] {
    return this.chunks.filter((c) => c.startsWith('id: '));
  }
}

describe('the live feed', () => {
  const event = (n: number) => ({
    type: 'call.status' as const,
    callSid: `CA${n}`,
    status: `s${n}`,
    at: new Date(n),
  });

  it('gives every event an id and replays only what is still in the ring', () => {
    const feed = new LiveFeed({ log: pino({ level: 'silent' }), capacity: 3 });
    const live = new FakeOutput();
    feed.attach(live);
    for (let i = 1; i <= 5; i++) feed.push(event(i));
    const ids = live.frames().map((f) => /^id: (\S+)/.exec(f)![1]!);
    expect(ids).toHaveLength(5);
    expect(live.frames()[0]).toMatch(/^id: \S+\nevent: call\.status\ndata: \{.*"callSid":"CA1".*\}\n\n$/);

    const recent = new FakeOutput();
    feed.attach(recent, ids[2]);
    expect(recent.frames().map((f) => JSON.parse(f.split('data: ')[1]!).status)).toEqual(['s4', 's5']);
    const current = new FakeOutput();
    feed.attach(current, ids[4]);
    expect(current.chunks).toEqual([]);
    // ids[0] fell out of the ring (capacity 3): the client must reload instead.
    const old = new FakeOutput();
    feed.attach(old, ids[0]);
    expect(old.chunks).toEqual([expect.stringMatching(/^event: reset\n/)]);
    feed.close();
    expect([live, recent, current, old].every((o) => o.ended)).toBe(true);
  });

  it('drops a client that stops reading, logs it, and keeps serving the others', () => {
    const logs = new LogCapture();
    const feed = new LiveFeed({ log: pino(logs), maxBufferedBytes: 1000 });
    const slow = new FakeOutput();
    const fast = new FakeOutput();
    feed.attach(slow);
    feed.attach(fast);
    slow.stalled = true;
    for (let i = 0; i < 50; i++) feed.push(event(i));
    expect(slow.destroyed).toBe(true);
    expect(slow.writableLength).toBeLessThanOrEqual(1000);
    expect(fast.frames()).toHaveLength(50);
    expect(feed.size).toBe(1);
    expect(logs.find(/^SSE_CLIENT_DROPPED/)).toHaveLength(1);
    feed.close();
  });

  it('sends heartbeat comments while clients are connected', async () => {
    const feed = new LiveFeed({ log: pino({ level: 'silent' }), heartbeatMs: 10 });
    const out = new FakeOutput();
    const detach = feed.attach(out);
    const deadline = Date.now() + 2000;
    while (!out.chunks.includes(': keep-alive\n\n') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(out.chunks).toContain(': keep-alive\n\n');
    detach();
    expect(feed.size).toBe(0);
    feed.close();
  });
});

describe('CRM configuration', () => {
  it('defaults the zone to Asia/Jerusalem and the webhook to off', () => {
    const c = parseConfig({});
    expect(c.timezone).toBe('Asia/Jerusalem');
    expect(c.crmWebhook).toBeUndefined();
  });

  it('takes a webhook URL with its secret, and refuses one without', () => {
    const c = parseConfig({
      CRM_WEBHOOK_URL: 'https://hooks.example.com/x?t=1',
      CRM_WEBHOOK_SECRET: 's'.repeat(16),
      TIMEZONE: 'Europe/London',
    });
    expect(c.crmWebhook).toEqual({ url: 'https://hooks.example.com/x?t=1', secret: 's'.repeat(16) });
    expect(c.timezone).toBe('Europe/London');
    expect(() => parseConfig({ CRM_WEBHOOK_URL: 'https://hooks.example.com/x' })).toThrow(
      /CRM_WEBHOOK_SECRET/,
    );
    expect(() => parseConfig({ CRM_WEBHOOK_URL: 'ftp://x', CRM_WEBHOOK_SECRET: 's'.repeat(16) })).toThrow(
      ConfigError,
    );
    expect(() => parseConfig({ CRM_WEBHOOK_URL: 'https://x', CRM_WEBHOOK_SECRET: 'short' })).toThrow(
      /at least 16/,
    );
    expect(() => parseConfig({ TIMEZONE: 'Mars/Olympus' })).toThrow(/TIMEZONE: must be an IANA time zone/);
  });
});
