// Start → first agent audio with the Realtime agent when the pre-warm and the stream are on the
// same instance, and when they are not (webhook on A, which pre-warms; stream on B, which
// connects fresh and tells A to release its session over the bus). Two in-process instances on
// one PostgreSQL schema and Redis; a fake Realtime server that holds each upgrade --handshake-ms
// (default 300: a real provider is a TLS handshake and a session away) and speaks at once.
//   npx tsx bench/prewarm-split.ts [--n 10] [--handshake-ms 300] [--greeting-ms 1500]
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import twilio from 'twilio';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/serve.js';
import { encodeConnected, encodeStart } from '../src/twilio/stream-messages.js';
import { FakeRealtimeServer } from '../test/fakes/fake-realtime-server.js';
import { fmt, summarise } from './support.js';

const arg = (flag: string, def: number) =>
  process.argv.includes(flag) ? Number(process.argv[process.argv.indexOf(flag) + 1]) : def;
const N = arg('--n', 10);
const HANDSHAKE_MS = arg('--handshake-ms', 300);
const GREETING_MS = arg('--greeting-ms', 1500);
const TOKEN = 'bench-auth-token-0123456789abcdef';
const ACCOUNT = 'AC' + '0'.repeat(32);
const DB = 'postgres://postgres@127.0.0.1:5432/test';

async function main() {
  const fake = await FakeRealtimeServer.start({
    handshakeDelayMs: HANDSHAKE_MS,
    recordAudio: false,
    onResponseCreate: (conn) => void conn.speak([Buffer.alloc(800, 0x11)], 'שלום'),
  });
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DB });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  const db = new URL(DB);
  db.searchParams.set('options', `-c search_path=${schema}`);
  const counts = new Map<string, number>();
  // Log lines are counted by code, not printed.
  const counter = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const m of chunk.toString().matchAll(/"msg":"(REALTIME_PREWARM_[A-Z]+)/g))
        counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
      done();
    },
  });
  const start = async (): Promise<RunningServer> => {
    const config = parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'agentlocator-prewarm-')),
      PROMPT_CACHE_DIR: path.join(tmpdir(), 'agentlocator-test-prompts'),
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT,
      AGENT: 'openai-realtime',
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_REALTIME_URL: fake.url,
      DATABASE_URL: db.toString(),
      REDIS_URL: 'redis://127.0.0.1:6379',
      BUS_CHANNEL: `bench_${schema}`,
      RECORD_CALLS: 'false',
      LOG_LEVEL: 'info',
    });
    return startServer(config, createLogger(config, counter));
  };
  const a = await start();
  const b = await start();
  const firstAudio = { same: [] as number[], split: [] as number[] };
  try {
    for (let i = 0; i < 2 * N; i++) {
      const mode = i % 2 ? 'split' : 'same';
      const callSid = `CA${randomBytes(16).toString('hex')}`;
      const url = `${a.url}/webhook/incoming_call`;
      const params = {
        CallSid: callSid,
        AccountSid: ACCOUNT,
        From: '+972501234567',
        To: '+97231234567',
        CallStatus: 'ringing',
      };
      const xml = await (
        await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, url, params),
          },
          body: new URLSearchParams(params).toString(),
        })
      ).text();
      const token = /name="token" value="([^"]+)"/.exec(xml)?.[1] ?? '';
      await new Promise((r) => setTimeout(r, GREETING_MS)); // the greeting plays meanwhile
      const target = mode === 'same' ? a : b;
      const host = new URL(target.url).host;
      const ws = new WebSocket(`ws://${host}/ws/twilio-media`, {
        headers: {
          'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, `wss://${host}/ws/twilio-media`, {}),
        },
      });
      await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const streamSid = 'MZ' + callSid.slice(2);
      const media = new Promise<void>((resolve) =>
        ws.on('message', (d: Buffer) => d.toString().includes('"event":"media"') && resolve()),
      );
      const t0 = performance.now();
      ws.send(encodeConnected());
      ws.send(
        encodeStart({
          sequenceNumber: 1,
          accountSid: ACCOUNT,
          streamSid,
          callSid,
          customParameters: { token },
        }),
      );
      await media;
      firstAudio[mode].push(performance.now() - t0);
      ws.close();
    }
    console.log(
      `start → first agent audio, Realtime agent, fake upstream handshake ${HANDSHAKE_MS} ms, greeting ${GREETING_MS} ms`,
    );
    for (const [mode, xs] of Object.entries(firstAudio)) {
      const s = summarise(xs);
      const what =
        mode === 'same' ? 'pre-warm and stream on A (claimed)' : 'pre-warm on A, stream on B (fresh)';
      console.log(`${what.padEnd(40)} n=${s.n}  p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}`);
    }
    console.log(
      `Realtime sessions opened: ${fake.connections.length} for ${2 * N} calls; pre-warm log lines: ${JSON.stringify(Object.fromEntries(counts))}`,
    );
  } finally {
    await a.stop();
    await b.stop();
    await fake.close();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
