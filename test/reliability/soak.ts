// `npm run soak -- --minutes 10 [--concurrency 4]` (issue 15, part 4): calls churn through the
// emulator against the server as its own process at a steady load (webhook, greeting, stream,
// the caller talks over the receptionist's prompt = barge-in, then hangs up at a random moment).
// The server's /metrics is sampled (RSS, heap, handles, timers, every per-call table); passes
// when no series rises beyond noise after the warm-up (memory only over 5 minutes or more, see
// trend.ts) and every table is back to idle once the calls are over. Prints each series' slope
// per hour; exits 1 on a failure.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mulawEncode } from '../../src/audio/mulaw.js';
import { freePort } from '../support/server.js';
import { startServerProcess } from './server-process.js';
import { publicUrl, startTwilio } from './good-call.js';
import { parseMetrics, sampleOf, trends, type Sample } from './trend.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
    /** Writes every sample as JSON here, for a closer look. */
    samples: { type: 'string' },
  },
});
const minutes = Number(args.minutes);
const concurrency = Number(args.concurrency);
if (!(minutes > 0) || !(concurrency >= 1)) throw new Error('--minutes and --concurrency must be positive');
const durationMs = minutes * 60_000;
// About 60 samples whatever the length, never closer than 2 s.
const sampleMs = Math.max(2000, durationMs / 60);
const warmupSec = Math.min(60, (durationMs / 1000) * 0.25);

/**
 * Half a second of silence (the VAD calibrates its noise floors), then 1.5 s of voice-like sound
 * (two formant bands with noise, at a syllable rate): the VAD hears speech over the prompt, so
 * the flow barges in.
 */
function speech(): Uint8Array {
  const pcm = new Int16Array(16000);
  for (let i = 4000; i < pcm.length; i++) {
    const t = i / 8000;
    const syllable = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    const voice =
      Math.sin(2 * Math.PI * 220 * t) + 0.6 * Math.sin(2 * Math.PI * 1400 * t) + 0.3 * (Math.random() - 0.5);
    pcm[i] = Math.round(7000 * syllable * voice);
  }
  return mulawEncode(pcm);
}

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const port = await freePort();
  const twilio = await startTwilio(port, 2);
  const server = await startServerProcess({
    port,
    flow: 'default',
    env: { TWILIO_API_BASE_URL: twilio.rest.url },
  });
  out(`soak: ${minutes} min, ${concurrency} concurrent calls, server pid ${server.pid} on ${server.origin}`);
  const scrape = async () => parseMetrics(await (await fetch(`${server.origin}/metrics`)).text());
  const idle = sampleOf(0, await scrape());
  const t0 = Date.now();
  const samples: Sample[] = [];
  const tally = { placed: 0, completed: 0, bad: 0, bargeIns: 0, heard: 0 };
  const badReasons = new Map<string, number>();
  const audio = speech();

  const worker = async () => {
    while (Date.now() - t0 < durationMs) {
      tally.placed += 1;
      const hangUpAfterMs = 2500 + Math.round(Math.random() * 4000);
      const result = await twilio.emulator.placeCall({
        webhookUrl: publicUrl('/webhook/incoming_call'),
        statusCallbackUrl: publicUrl('/webhook/call_status'),
        statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'],
        caller: { audio, hangUpAfterMs },
      }).done;
      const stream = result.streams[0];
      if (stream && stream.clears > 0) tally.bargeIns += 1;
      if (stream && stream.mediaReceived > 0) tally.heard += 1;
      const errors = result.violations.filter((v) => v.severity === 'error');
      // Heard nothing and never barged in: a line left silent. (A caller who talks before the
      // prompt's first frame barges in on it and hears the flow wait for the answer instead.)
      const silent = !stream || (stream.mediaReceived === 0 && stream.clears === 0);
      if (result.status === 'completed' && errors.length === 0 && !silent) tally.completed += 1;
      else {
        tally.bad += 1;
        const why = errors[0]
          ? `${errors[0].code} ${errors[0].message}`
          : silent
            ? `silent line for ${hangUpAfterMs} ms`
            : `status ${result.status}`;
        badReasons.set(why, (badReasons.get(why) ?? 0) + 1);
      }
    }
  };
  const sampler = setInterval(() => {
    scrape().then(
      (m) => samples.push(sampleOf((Date.now() - t0) / 1000, m)),
      (err: unknown) => out(`sample failed: ${String(err)}`),
    );
  }, sampleMs);
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  clearInterval(sampler);

  // The calls are over: every per-call table must drain back to its idle value.
  const tables = ['sessions', 'flow_lookups', 'event_subscribers', 'test_calls'] as const;
  let after = sampleOf(0, await scrape());
  const drainDeadline = Date.now() + 10_000;
  while (tables.some((k) => after.values[k] !== idle.values[k]) && Date.now() < drainDeadline) {
    await new Promise((r) => setTimeout(r, 250));
    after = sampleOf(0, await scrape());
  }
  await twilio.close();
  await server.stop();

  if (args.samples) writeFileSync(args.samples, JSON.stringify(samples));
  const found = trends(samples, warmupSec);
  out(
    `calls placed ${tally.placed}, completed ${tally.completed}, bad ${tally.bad}, heard the agent ${tally.heard}, ` +
      `barged in ${tally.bargeIns}; ${samples.length} samples`,
  );
  for (const [why, n] of badReasons) out(`  bad: ${n} × ${why}`);
  out('series            mean      slope/h   ±2·SE/h   verdict');
  for (const t of found) {
    out(
      `${t.name.padEnd(16)} ${t.mean.toFixed(1).padStart(8)} ${t.perHour.toFixed(1).padStart(10)} ${(2 * t.stdErrPerHour).toFixed(1).padStart(9)}   ${t.rising ? 'RISING' : t.judged ? 'flat' : 'not judged (window < 5 min)'}`,
    );
  }
  const undrained = tables.filter((k) => after.values[k] !== idle.values[k]);
  for (const k of undrained) out(`not back to idle: ${k} ${after.values[k]} (idle ${idle.values[k]})`);
  const failed =
    found.some((t) => t.rising) ||
    undrained.length > 0 ||
    tally.bad > 0 ||
    tally.completed === 0 ||
    tally.bargeIns === 0;
  out(failed ? 'SOAK FAILED' : 'SOAK PASSED');
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
