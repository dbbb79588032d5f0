// `npm run bench`: CPU per caller frame and calls held, AgentLocator (every feature on) side by
// side with the bare relay, against a local fake OpenAI Realtime server in echo mode. Loopback
// only, bounded (≤ 5 min; --quick ≤ 1 min). The target runs on CPU 0, this process (load
// generator + fake upstream) on CPU 1. Prints a table; writes .bench/load-<time>.json.
//
//   npm run bench                      sweep N = 50, 100, 200, 300, … until a target breaks
//   npm run bench -- --quick           N = 100, 200, short windows
//   npm run bench -- --ns 200,300 --window 10 --targets ours,bare
//   npm run bench -- --profile 300     CPU profile of AgentLocator's steady window at N = 300
//   npm run bench -- --cluster         one process vs node dist/cluster.js (2 workers), unpinned
//   npm run bench -- --instances 2     1 instance vs 2 behind nginx on PostgreSQL + Redis, unpinned
//   npm run bench -- --keep-going      measure every N even after a target stopped holding
//                                      (--nginx /usr/sbin/nginx --database-url … --redis-url …)
//   npm run bench -- --env RECORD_CALLS=false   (ablations; AgentLocator only)
//   npm run bench -- --syscalls        system calls per frame (perf stat on the syscall tracepoints)
//   npm run bench -- --perf            perf record of each target's window (kernel + JS, --perf-basic-prof)
//   npm run bench -- --node-flags "--single-threaded-gc"   Node/V8 flags for every target process
//   npm run bench -- --upstream-delay 0   the fake Realtime server accepts at once (default 200 ms)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeRealtimeServer } from '../test/fakes/fake-realtime-server.js';
import { ensureGreetingMp3 } from '../src/audio/greeting.js';
import { freePort } from './support.js';
import { startTarget, type TargetKind } from './targets.js';
import { agentLocatorDialer, bareDialer } from './load/dial.js';
import { runPoint } from './load/load-point.js';
import { pin } from './load/proc.js';
import { headline, judge, table, tableHeader, tableRow, type Row } from './load/report.js';
import { connectProfiler, summariseProfile, type Profiler } from './load/cpu-profile.js';
import { startBehindNginx } from './load/behind-nginx.js';

const argv = process.argv.slice(2);
const has = (flag: string) => argv.includes(flag);
const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const numbers = (flag: string) => value(flag)?.split(',').map(Number).filter(Number.isFinite);

const started = Date.now();
const quick = has('--quick');
const clusterMode = has('--cluster');
const instances = value('--instances') ? Number(value('--instances')) : undefined;
if (instances !== undefined && ![2, 3].includes(instances)) throw new Error('--instances takes 2 or 3');
const lbOptions = {
  nginx: value('--nginx') ?? '/usr/sbin/nginx',
  databaseUrl: value('--database-url') ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: value('--redis-url') ?? 'redis://127.0.0.1:6379',
};
const profileN = value('--profile') ? Number(value('--profile')) : undefined;
const pinned = !has('--no-pin') && !clusterMode && instances === undefined;
const windowMs = Number(value('--window') ?? (quick ? 3 : 6)) * 1000;
const budgetMs = Number(value('--budget') ?? (quick ? 52 : 285)) * 1000;
const drainMs = 1000;
/**
 * The fake Realtime server holds each upgrade this long (a real one is a TLS handshake away), so
 * every call's first frames arrive before its upstream is ready: "lost head" shows whether they
 * are queued or dropped.
 */
const upstreamDelayMs = Number(value('--upstream-delay') ?? 200);
/** Other processes above this share of a core during the window make a point noisy. */
const NOISY_OTHERS_PCT = 25;
/** --quick has no time to measure a point twice. */
const MAX_REPEATS = quick ? 0 : 2;
/** `npm run bench` builds here: other work rebuilding dist/ cannot change the server mid-sweep. */
const distDir = value('--dist') ?? '.bench/dist';
const targets: TargetKind[] =
  (value('--targets')?.split(',') as TargetKind[] | undefined) ??
  (profileN
    ? ['ours']
    : clusterMode
      ? ['ours', 'cluster']
      : instances
        ? ['lb1', `lb${instances}` as TargetKind]
        : ['ours', 'bare']);
const ns =
  (profileN ? [profileN] : numbers('--ns')) ??
  (quick
    ? [100, 200]
    : clusterMode || instances
      ? [200, 400, 600]
      : [50, 100, 200, 300, 400, 500, 600, 800, 1000]);
const serverEnv = Object.fromEntries(
  argv
    .flatMap((a, i) => (argv[i - 1] === '--env' ? [a] : []))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const rampMs = (n: number) => (quick ? Math.max(1000, n * 5) : Math.max(2000, n * 10));
/** Time one point takes: start-up and idle settle, ramp, window, drain, hang-up and memory settle. */
const pointMs = (n: number) => 3500 + 2 * rampMs(n) + 1000 + windowMs + drainMs + 1000 + 4000;

const label = (k: TargetKind) =>
  k.startsWith('lb')
    ? `${k.slice(2)} instance${k === 'lb1' ? '' : 's'} behind nginx`
    : k === 'ours'
      ? clusterMode
        ? 'agentlocator (1 process)'
        : 'agentlocator'
      : k === 'bare'
        ? 'bare relay'
        : 'cluster (2 workers)';

function machine() {
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim())
      commit += '+dirty';
  } catch {
    /* not a git checkout */
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    commit,
  };
}

async function main() {
  const here = machine();
  if (pinned && !pin(process.pid, '1')) console.warn('taskset unavailable: nothing is pinned');
  const cacheDir = path.resolve('.bench/cache');
  mkdirSync(cacheDir, { recursive: true });
  // Rendered once and kept: no server start renders audio inside a measurement.
  const greetingFile = await ensureGreetingMp3({ text: 'שלום, רגע אחד.', dataDir: cacheDir });

  console.log(
    `AgentLocator load bench — ${here.cpu}, ${here.cores} cores, Node ${here.node}, commit ${here.commit}\n` +
      `target ${pinned ? 'on CPU 0, load generator + fake Realtime (echo) on CPU 1' : 'and generator unpinned'}; ` +
      `${windowMs / 1000} s steady window; upstream handshake ${upstreamDelayMs} ms; ` +
      `held = p99 ≤ 20 ms, 0 lost, 0 failed, 0 wrong streamSid` +
      (Object.keys(serverEnv).length ? `; server env ${JSON.stringify(serverEnv)}` : ''),
  );
  console.log(tableHeader());

  const rows: Row[] = [];
  const notes: string[] = [];
  const active = new Set(targets);
  let profile: ReturnType<typeof summariseProfile> | undefined;

  const perfFile = (kind: TargetKind, n: number) => {
    const dir = path.resolve('.bench/perf');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${kind}-${n}-${Date.now()}.data`);
    notes.push(`perf profile: perf report -i ${path.relative(process.cwd(), file)} --no-children --sort sym`);
    return file;
  };

  const measure = async (kind: TargetKind, n: number): Promise<Row> => {
    const fake = await FakeRealtimeServer.start({
      echo: true,
      recordAudio: false,
      handshakeDelayMs: upstreamDelayMs,
    });
    const inspectPort = profileN ? await freePort() : undefined;
    const options = {
      realtimeUrl: fake.url,
      cpus: pinned ? '0' : undefined,
      cacheDir,
      greetingFile,
      distDir,
      env: kind === 'bare' ? {} : serverEnv,
      ...(inspectPort ? { inspectPort } : {}),
      ...(kind === 'cluster' ? { workers: 2 } : {}),
      nodeFlags: [
        ...(has('--perf') ? ['--perf-basic-prof'] : []),
        ...(value('--node-flags')?.split(' ').filter(Boolean) ?? []),
      ],
    };
    const target = kind.startsWith('lb')
      ? await startBehindNginx(options, { ...lbOptions, instances: Number(kind.slice(2)) })
      : await startTarget({ ...options, kind });
    let profiler: Profiler | undefined;
    try {
      if (inspectPort) profiler = await connectProfiler(inspectPort);
      const onWindow = async (edge: 'start' | 'end') => {
        if (!profiler) return;
        if (edge === 'start') return profiler.start();
        const p = await profiler.stop();
        const dir = path.resolve('.bench/profiles');
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${kind}-${n}-${Date.now()}.cpuprofile`);
        writeFileSync(file, JSON.stringify(p));
        profile = summariseProfile(p);
        notes.push(`CPU profile of the steady window: ${path.relative(process.cwd(), file)}`);
      };
      const result = await runPoint({
        n,
        rampMs: rampMs(n),
        windowMs,
        drainMs,
        target,
        dial:
          kind === 'bare'
            ? bareDialer(target.origin.replace('http', 'ws') + '/')
            : agentLocatorDialer(target.origin),
        onWindow,
        syscalls: has('--syscalls'),
        ...(has('--perf') ? { perfFile: perfFile(kind, n) } : {}),
      });
      const row = judge(label(kind), result);
      console.log(tableRow(row));
      if (result.failures.length) console.log(`  failures: ${result.failures.join('; ')}`);
      if (result.syscallsPerFrame)
        console.log(`  syscalls per frame: ${JSON.stringify(result.syscallsPerFrame)}`);
      return row;
    } finally {
      profiler?.close();
      await target.stop();
      await fake.close();
    }
  };

  outer: for (const n of ns) {
    for (const kind of targets) {
      if (!active.has(kind)) continue;
      // On a shared machine other work can steal the cores: such a point is measured again
      // (at most twice more) and the quietest run counts; every run stays in the JSON.
      const runs: Row[] = [];
      for (let attempt = 0; attempt <= MAX_REPEATS; attempt++) {
        if (Date.now() - started + pointMs(n) > budgetMs) {
          if (runs.length === 0) {
            notes.push(`stopped before N=${n}: the ${budgetMs / 1000} s time budget`);
            break outer;
          }
          break;
        }
        const row = await measure(kind, n);
        runs.push(row);
        rows.push(row);
        if (row.othersCpuPct <= NOISY_OTHERS_PCT) break;
        if (attempt < MAX_REPEATS)
          console.log(`  (other processes used ${row.othersCpuPct.toFixed(0)} % of a core: measuring again)`);
      }
      const kept = runs.reduce((best, r) => (r.othersCpuPct < best.othersCpuPct ? r : best));
      for (const r of runs) if (r !== kept) r.superseded = true;
      if (!kept.pass && !has('--keep-going')) active.delete(kind);
    }
    if (active.size === 0) break;
  }
  const counted = rows.filter((r) => !r.superseded);

  const [a, b] = clusterMode ? ['cluster', 'ours'] : instances ? [`lb${instances}`, 'lb1'] : ['ours', 'bare'];
  const head = headline(counted, label(a as TargetKind), label(b as TargetKind));
  if (counted.some((r) => r.generatorTail))
    notes.push(
      '* the load generator was above 60 % of its core or late by > 5 ms (p99): from ~300 calls its own ' +
        'scheduling enters the tail, so p99 there is target + generator; µs/frame stays the clean figure',
    );
  if (!clusterMode && targets.includes('ours') && targets.includes('bare'))
    notes.push(
      'each point runs one target after the other, and a shared machine drifts by ±10 % in a minute: for a ' +
        'steadier ratio, `npx tsx bench/ab.ts` runs both at once on one core (bench/README.md)',
    );
  for (const t of head.targets)
    if (t.heldAtEnd && counted.some((r) => r.target === t.target))
      notes.push(`${t.target} never broke in this run: calls held is a lower bound`);

  console.log('\n' + table(counted));
  if (counted.length < rows.length)
    console.log(`(${rows.length - counted.length} noisy runs measured again; all runs are in the JSON)`);
  console.log(
    `\nHeadline: µs per frame = median over N=${head.comparedAt.join(',') || '-'} (ratio: median of the ` +
      `per-N ratios); calls held = largest N before the first failure; RSS per call at N=${head.referenceN ?? '-'}`,
  );
  for (const t of head.targets) {
    console.log(
      `  ${t.target.padEnd(26)} ${t.usPerFrame?.toFixed(1) ?? '-'} µs/frame, ${t.callsHeld}${t.heldAtEnd ? '+' : ''} calls held, ` +
        `${t.kbPerCall?.toFixed(0) ?? '-'} KB RSS per live call, RSS back within 20 MB after every point: ${t.rssBack ? 'yes' : 'NO'}`,
    );
  }
  console.log(
    `  ratio ${a}/${b}: ${head.usPerFrameRatio?.toFixed(2) ?? '-'}× CPU per frame, ` +
      `${head.callsHeldRatio?.toFixed(2) ?? '-'}× calls held`,
  );
  if (profile) {
    console.log(`\nCPU profile, steady window (${profile.busyMs.toFixed(0)} ms busy):`);
    for (const x of profile.areas.slice(0, 16)) console.log(`  ${x.pct.toFixed(1).padStart(5)} %  ${x.area}`);
    console.log('  top functions (self time):');
    for (const x of profile.functions)
      console.log(`  ${x.pct.toFixed(1).padStart(5)} %  ${x.fn}  ${x.where}`);
  }
  for (const note of notes) console.log(`note: ${note}`);

  const outDir = path.resolve('.bench');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const report = {
    machine: here,
    settings: {
      quick,
      clusterMode,
      pinned,
      windowMs,
      upstreamDelayMs,
      ns,
      targets,
      serverEnv,
      p99LimitMs: 20,
    },
    rows,
    headline: head,
    profile,
    notes,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(file, JSON.stringify(report, null, 2));
  copyFileSync(file, path.join(outDir, 'load-latest.json'));
  console.log(
    `\n${rows.length} points in ${report.seconds.toFixed(0)} s; JSON: ${path.relative(process.cwd(), file)}`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
