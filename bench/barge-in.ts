// Barge-in reaction of the offline flow agent: from the first frame of caller speech sent over the
// stream to the `clear` arriving on the wire, including the VAD's onset confirmation. Real-time
// emulator (speed 1), the built server in its own process, default configuration.
// Run: npm run build && npx tsx bench/barge-in.ts [--n 30]
import { TwilioEmulator } from '../src/emulator/index.js';
import { synthesizeMulaw8k, closeTts } from '../src/audio/tts.js';
import { fmt, startServerProcess, summarise } from './support.js';

const TOKEN = 'bench-auth-token-0123456789abcdef';
const ACCOUNT = 'AC' + '0'.repeat(32);
const n = Number(process.argv[process.argv.indexOf('--n') + 1]) || 30;
/** Calls in flight at once: barge-in must stay fast with other calls on the same process. */
const PARALLEL = 5;

async function main() {
  const speech = Buffer.from(await synthesizeMulaw8k('שלום, אני רוצה לדבר עם נציג'));
  await closeTts();
  const server = await startServerProcess({ TWILIO_AUTH_TOKEN: TOKEN, TWILIO_ACCOUNT_SID: ACCOUNT });
  const emulator = new TwilioEmulator({ authToken: TOKEN, accountSid: ACCOUNT, speed: 1 });
  const samples: number[] = [];
  let failures = 0;
  try {
    const one = async () => {
      const call = emulator.placeCall({ webhookUrl: `${server.origin}/webhook/incoming_call` });
      try {
        await call.waitFor('first-media-received', { timeoutMs: 15_000 });
        // Let the prompt play a moment, as a caller who starts talking over it would.
        await new Promise((r) => setTimeout(r, 300));
        const cleared = call.waitFor('clear-received', { timeoutMs: 5_000 });
        const t0 = performance.now();
        void call.sendAudio(speech);
        await cleared;
        samples.push(performance.now() - t0);
      } catch {
        failures += 1;
      } finally {
        await call.hangUp();
      }
    };
    for (let done = 0; done < n; done += PARALLEL) {
      await Promise.all(Array.from({ length: Math.min(PARALLEL, n - done) }, one));
    }
  } finally {
    await emulator.close();
    await server.stop();
  }
  const r = summarise(samples);
  console.log(
    `Barge-in: first caller speech frame → clear on the wire (flow agent, ${PARALLEL} calls at a time)`,
  );
  console.log(`n=${r.n}  p50 ${fmt(r.p50)}  p99 ${fmt(r.p99)}  max ${fmt(r.max)}  failures ${failures}`);
  console.log('(includes the VAD confirming 100 ms of speech and one 20 ms frame of pacing)');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
