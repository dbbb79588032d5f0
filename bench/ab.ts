// `npx tsx bench/ab.ts`: two targets measured AT ONCE, both pinned to CPU 0, each with its own N
// calls from the one generator on CPU 1, round after round (fresh processes each round). On a
// shared VM a target's CPU per frame drifts by ±10 % from one minute to the next, more than the
// changes worth measuring; two targets sharing one core through the same seconds see the same
// drift, so their ratio is steady where two back-to-back runs are not. What each pays for sharing
// the core (context switches, caches) is the same for both, and is why the absolute figures here
// are not `npm run bench`'s: quote the ratio.
//
//   npx tsx bench/ab.ts                                   AgentLocator vs the bare relay, N = 100 each, 5 rounds
//   npx tsx bench/ab.ts --a ours:.bench/old --b ours:.bench/new --rounds 7
//   npx tsx bench/ab.ts --b ours --b-env RECORD_CALLS=false --n 150 --window 8
//   npx tsx bench/ab.ts --b-node-flags "--max-semi-space-size=2"
//   npx tsx bench/ab.ts --a bare --b bare --b-env BENCH_BUSY_US=2   what 2 µs more work per frame costs here
//   npx tsx bench/ab.ts … --perf     perf record of both targets over each window (.bench/perf/ab-*)
//
// A side is kind[:distDir] (kind: ours | bare; distDir defaults to .bench/dist, built by
// `npm run bench`). The start order alternates between rounds.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { FakeRealtimeServer } from '../test/fakes/fake-realtime-server.js';
import { ensureGreetingMp3 } from '../src/audio/greeting.js';
import { startTarget, type Target } from './targets.js';
import { agentLocatorDialer, bareDialer } from './load/dial.js';
import { runPoint, type PointResult } from './load/load-point.js';
import { pin } from './load/proc.js';

const argv = process.argv.slice(2);
const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const envOf = (flag: string) =>
  Object.fromEntries(
    argv
      .flatMap((a, i) => (argv[i - 1] === flag ? [a] : []))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

interface Side {
  label: 'A' | 'B';
  name: string;
  nodeFlags: string[];
  kind: 'ours' | 'bare';
  distDir: string;
  env: Record<string, string>;
}

function side(flag: '--a' | '--b', fallback: string): Side {
  const spec = value(flag) ?? fallback;
  const [kind, dist] = spec.split(':');
  if (kind !== 'ours' && kind !== 'bare') throw new Error(`${flag} ${spec}: kind must be ours or bare`);
  const env = envOf(`${flag}-env`);
  const envText = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const nodeFlags = value(`${flag}-node-flags`)?.split(' ').filter(Boolean) ?? [];
  return {
    label: flag === '--a' ? 'A' : 'B',
    name: [spec, envText, nodeFlags.join(' ')].filter(Boolean).join(' '),
    nodeFlags,
    kind,
    distDir: dist ?? '.bench/dist',
    env,
  };
}

const a = side('--a', 'ours');
const b = side('--b', 'bare');
const n = Number(value('--n') ?? 100);
const rounds = Number(value('--rounds') ?? 5);
const windowMs = Number(value('--window') ?? 6) * 1000;
const rampMs = Math.max(2000, n * 10);

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main() {
  for (const s of [a, b]) {
    if (s.kind === 'ours' && !existsSync(path.join(s.distDir, 'main.js')))
      throw new Error(
        `${s.label}: no build in ${s.distDir}: run \`npm run bench\` once (it builds .bench/dist), ` +
          `or \`npx tsc -p tsconfig.build.json --outDir ${s.distDir}\``,
      );
  }
  if (!pin(process.pid, '1')) console.warn('taskset unavailable: nothing is pinned');
  const cacheDir = path.resolve('.bench/cache');
  mkdirSync(cacheDir, { recursive: true });
  const greetingFile = await ensureGreetingMp3({ text: 'שלום, רגע אחד.', dataDir: cacheDir });
  console.log(
    `A: ${a.name}\nB: ${b.name}\n${n} calls each, at once, both on CPU 0; ${windowMs / 1000} s window; ${rounds} rounds`,
  );
  const ratios: number[] = [];
  const perSide: [number[], number[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    const fake = await FakeRealtimeServer.start({ echo: true, recordAudio: false, handshakeDelayMs: 200 });
    const order = round % 2 === 0 ? [a, b] : [b, a];
    const started: Target[] = [];
    try {
      for (const s of order) {
        started.push(
          await startTarget({
            kind: s.kind,
            realtimeUrl: fake.url,
            cpus: '0',
            cacheDir,
            greetingFile,
            distDir: s.distDir,
            env: s.env,
            nodeFlags: [...(argv.includes('--perf') ? ['--perf-basic-prof'] : []), ...s.nodeFlags],
          }),
        );
      }
      const perfFile = (t: Target) => {
        const dir = path.resolve('.bench/perf');
        mkdirSync(dir, { recursive: true });
        return path.join(
          dir,
          `ab-r${round + 1}-${t === started[0] ? order[0]!.label : order[1]!.label}.data`,
        );
      };
      const point = (t: Target): Promise<PointResult> =>
        runPoint({
          ...(argv.includes('--perf') ? { perfFile: perfFile(t) } : {}),
          n,
          rampMs,
          windowMs,
          drainMs: 1000,
          target: t,
          dial:
            t.kind === 'bare'
              ? bareDialer(t.origin.replace('http', 'ws') + '/')
              : agentLocatorDialer(t.origin),
        });
      const results = await Promise.all(started.map(point));
      const [ra, rb] = order[0] === a ? results : [results[1]!, results[0]!];
      const clean = (r: PointResult) =>
        r.lostAfterFirstEcho + r.lostHead + r.failedCalls + r.wrongStreamSid === 0 ? '' : ' (losses!)';
      perSide[0].push(ra!.usPerFrame);
      perSide[1].push(rb!.usPerFrame);
      ratios.push(ra!.usPerFrame / rb!.usPerFrame);
      console.log(
        `round ${round + 1}: A ${ra!.usPerFrame.toFixed(1)}${clean(ra!)}  B ${rb!.usPerFrame.toFixed(1)}${clean(rb!)} ` +
          `µs/frame  A/B ${(ra!.usPerFrame / rb!.usPerFrame).toFixed(3)}  ` +
          `(p99 ms ${ra!.rtt.p99.toFixed(1)} / ${rb!.rtt.p99.toFixed(1)}; generator ${ra!.generatorCpuPct.toFixed(0)} %)`,
      );
    } finally {
      for (const t of started) await t.stop();
      await fake.close();
    }
  }
  console.log(
    `\nmedian µs/frame: A ${median(perSide[0]).toFixed(1)}  B ${median(perSide[1]).toFixed(1)}; ` +
      `A/B median ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
