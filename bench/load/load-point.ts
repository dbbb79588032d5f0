// One load point: N concurrent calls at real-time pace against one target process. Calls start
// evenly over the ramp, each with its 20 ms phase spread by the golden ratio (real calls arrive at
// random phases); one 1 ms timer drives every call. CPU, memory and event-loop delay are read over
// the steady window (all calls live), losses once every echo has had time to come back.
import type { Target } from '../targets.js';
import type { Dialer } from './dial.js';
import { cpuSeconds, machineBusySeconds, mainThreadSeconds, rssBytes } from './proc.js';
import { FRAME_MS, Series, TwilioLeg, type Samples } from './twilio-leg.js';
import { countSyscalls, recordPerf, type SyscallCounts } from './syscalls.js';

export interface PointSpec {
  n: number;
  rampMs: number;
  windowMs: number;
  /** Wait after the last frame for its echo before counting losses. */
  drainMs: number;
  target: Target;
  dial: Dialer;
  /** Count the target's system calls over the window with perf. */
  syscalls?: boolean;
  /** Record a perf profile of the target over the window into this file. */
  perfFile?: string;
  /** Runs at the start and end of the steady window (CPU profile). */
  onWindow?: (edge: 'start' | 'end') => Promise<void>;
}

export interface PointResult {
  n: number;
  framesSent: number;
  framesInWindow: number;
  rtt: { p50: number; p95: number; p99: number; max: number };
  lostAfterFirstEcho: number;
  lostHead: number;
  failedCalls: number;
  failures: string[];
  closedEarly: number;
  wrongStreamSid: number;
  foreignEchoes: number;
  duplicateEchoes: number;
  /** Messages the server wrote to Twilio per caller frame (media + marks + clears). */
  outPerFrame: number;
  /** Messages the server read from Twilio per caller frame (media + echoed marks). */
  inPerFrame: number;
  serverCpuPct: number;
  /** The event-loop threads alone (the rest: GC helpers, libuv's pool for file writes). */
  loopCpuPct: number;
  usPerFrame: number;
  rssIdleMB: number;
  rssSteadyMB: number;
  rssEndMB: number;
  /** How long after the last hang-up rssEndMB was read (early once back within 20 MB). */
  endWaitMs: number;
  /** The V8 heap when idle, with every call live, and after they ended (AgentLocator only). */
  heapMB: { idle: unknown; live: unknown; end: unknown };
  /** (RSS with every call live − idle RSS) / N: includes the heap growing to its working size. */
  kbPerCall: number;
  /** RSS added per extra live call, from half the calls live to all of them. */
  kbPerCallMarginal: number;
  eventLoopP99Ms: number | null;
  eventLoopMaxMs: number | null;
  generatorCpuPct: number;
  generatorLagP99Ms: number;
  othersCpuPct: number;
  logBytesPerCall: number;
  /** System calls per caller frame in the window, in all and by name (--syscalls). */
  syscallsPerFrame: Record<string, number> | null;
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;
/** After the calls end, RSS should come back within this of the idle figure. */
export const RSS_BACK_BYTES = 20 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssOf = (t: Target) => t.pids().reduce((sum, p) => sum + rssBytes(p), 0);
const cpuOf = (t: Target) => t.pids().reduce((sum, p) => sum + cpuSeconds(p), 0);
const loopCpuOf = (t: Target) => t.pids().reduce((sum, p) => sum + mainThreadSeconds(p), 0);
const mb = (bytes: number) => bytes / 1024 / 1024;

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export async function runPoint(spec: PointSpec): Promise<PointResult> {
  const { n, rampMs, windowMs, target } = spec;
  // Let start-up work (JIT, first GCs) settle before the idle figure.
  await sleep(1000);
  const rssIdle = rssOf(target);
  const heapIdle = await target.heap();
  let heapLive: unknown;
  const logBefore = target.logBytes();

  const t0 = performance.now() + 100;
  const callMs = rampMs + 1000 + windowMs;
  const samples: Samples = {
    windowStart: t0 + rampMs + 1000,
    windowEnd: t0 + rampMs + 1000 + windowMs,
    rttMs: new Series(Math.ceil((n * windowMs) / FRAME_MS) + n * 10),
    sendLagMs: new Series(Math.ceil((n * windowMs) / FRAME_MS) + n * 10),
    framesInWindow: 0,
  };
  const legs: TwilioLeg[] = [];
  const failures: string[] = [];
  for (let i = 0; i < n; i++) {
    const start = t0 + (i * rampMs) / n;
    legs.push(new TwilioLeg(i, start + ((i * GOLDEN) % 1) * FRAME_MS, start + callMs, samples));
  }

  let opened = 0;
  const open = (leg: TwilioLeg) => {
    spec.dial(leg.index).then(
      (d) => leg.begin(d.ws, d.id, performance.now()),
      (err: unknown) => {
        leg.failure = err instanceof Error ? err.message : String(err);
        failures.push(leg.failure);
      },
    );
  };

  const window = {
    cpu0: 0,
    cpu1: 0,
    loop0: 0,
    loop1: 0,
    gen0: process.cpuUsage(),
    gen1: process.cpuUsage(),
    busy0: 0,
    busy1: 0,
  };
  let windowEdge: Promise<void> = Promise.resolve();
  let syscalls: Promise<SyscallCounts | undefined> = Promise.resolve(undefined);
  let perfDone: Promise<boolean> = Promise.resolve(false);
  let eld: { p99: number; max: number } | undefined;
  let rssSteady = 0;
  // RSS once half the calls are live (their first echoes back): the marginal figure's first point.
  const halfAt = t0 + rampMs / 2 + 500;
  let rssHalf: { bytes: number; live: number } | undefined;
  let rssFull: { bytes: number; live: number } | undefined;
  const liveCalls = () => legs.filter((l) => l.live && l.echoes > 0).length;
  let phase: 'before' | 'in' | 'after' = 'before';

  await new Promise<void>((resolve) => {
    const lastFrameAt = t0 + rampMs + callMs;
    const tick = () => {
      const now = performance.now();
      while (opened < n && legs[opened]!.endAt - callMs <= now) open(legs[opened++]!);
      for (const leg of legs) leg.tick(now);
      if (!rssHalf && now >= halfAt) rssHalf = { bytes: rssOf(target), live: liveCalls() };
      if (phase === 'before' && now >= samples.windowStart) {
        phase = 'in';
        window.cpu0 = cpuOf(target);
        window.loop0 = loopCpuOf(target);
        window.gen0 = process.cpuUsage();
        window.busy0 = machineBusySeconds();
        if (spec.syscalls) syscalls = countSyscalls(target.pids(), windowMs);
        if (spec.perfFile) perfDone = recordPerf(target.pids(), windowMs, spec.perfFile);
        windowEdge = (async () => {
          await spec.target.eventLoopDelay(); // resets the server's histogram
          await spec.onWindow?.('start');
        })();
      } else if (phase === 'in' && now >= samples.windowEnd) {
        phase = 'after';
        window.cpu1 = cpuOf(target);
        window.loop1 = loopCpuOf(target);
        window.gen1 = process.cpuUsage(window.gen0);
        window.busy1 = machineBusySeconds();
        rssSteady = rssOf(target);
        rssFull = { bytes: rssSteady, live: liveCalls() };
        windowEdge = windowEdge.then(async () => {
          eld = await spec.target.eventLoopDelay();
          heapLive = await target.heap();
          await spec.onWindow?.('end');
        });
      }
      // Marks keep being echoed during the drain, as Twilio would.
      if (now >= lastFrameAt + spec.drainMs) return resolve();
      setTimeout(tick, 1);
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  await windowEdge;
  const counted = await syscalls;
  await perfDone;

  let lostHead = 0;
  let lostAfter = 0;
  let wrongStreamSid = 0;
  let foreign = 0;
  let duplicates = 0;
  let closedEarly = 0;
  let framesSent = 0;
  let mediaIn = 0;
  let marksIn = 0;
  let clears = 0;
  let marksEchoed = 0;
  for (const leg of legs) {
    const lost = leg.losses();
    lostHead += lost.head;
    lostAfter += lost.after;
    wrongStreamSid += leg.wrongStreamSid;
    foreign += leg.foreign;
    duplicates += leg.duplicates;
    framesSent += leg.sent;
    mediaIn += leg.mediaReceived;
    marksIn += leg.marksReceived;
    clears += leg.clears;
    marksEchoed += leg.marksEchoed;
    if (leg.closed?.by === 'server') closedEarly += 1;
  }
  const failedCalls = legs.filter((l) => l.failure !== undefined || !l.ws || l.echoes === 0).length;

  // Hang up every call, then see whether memory comes back.
  for (const leg of legs) leg.hangUp();
  const closeDeadline = Date.now() + 10_000;
  while (legs.some((l) => l.ws && !l.closed) && Date.now() < closeDeadline) await sleep(50);
  for (const leg of legs) if (leg.ws && !leg.closed) leg.terminate();
  // AgentLocator collects 2 s after its last call ends: wait up to 6 s for RSS to come back.
  const endStarted = Date.now();
  let rssEnd = rssOf(target);
  while (Date.now() - endStarted < 6000) {
    await sleep(250);
    rssEnd = rssOf(target);
    if (Date.now() - endStarted >= 1000 && rssEnd - rssIdle <= RSS_BACK_BYTES) break;
  }
  const endWaitMs = Date.now() - endStarted;
  const heapEnd = await target.heap();

  const rtt = samples.rttMs.sorted();
  const lag = samples.sendLagMs.sorted();
  const cpuSec = window.cpu1 - window.cpu0;
  const genSec = (window.gen1.user + window.gen1.system) / 1e6;
  const busySec = window.busy1 - window.busy0;
  const windowSec = windowMs / 1000;
  return {
    n,
    framesSent,
    framesInWindow: samples.framesInWindow,
    rtt: {
      p50: percentile(rtt, 0.5),
      p95: percentile(rtt, 0.95),
      p99: percentile(rtt, 0.99),
      max: rtt.at(-1) ?? NaN,
    },
    lostAfterFirstEcho: lostAfter,
    lostHead,
    failedCalls,
    failures: [...new Set(failures)].slice(0, 5),
    closedEarly,
    wrongStreamSid,
    foreignEchoes: foreign,
    duplicateEchoes: duplicates,
    outPerFrame: framesSent ? (mediaIn + marksIn + clears) / framesSent : 0,
    inPerFrame: framesSent ? (framesSent + marksEchoed) / framesSent : 0,
    serverCpuPct: (cpuSec / windowSec) * 100,
    loopCpuPct: ((window.loop1 - window.loop0) / windowSec) * 100,
    usPerFrame: samples.framesInWindow ? (cpuSec * 1e6) / samples.framesInWindow : NaN,
    rssIdleMB: mb(rssIdle),
    rssSteadyMB: mb(rssSteady),
    rssEndMB: mb(rssEnd),
    endWaitMs,
    heapMB: { idle: heapIdle, live: heapLive, end: heapEnd },
    kbPerCall: (rssSteady - rssIdle) / 1024 / n,
    kbPerCallMarginal:
      rssHalf && rssFull && rssFull.live > rssHalf.live
        ? (rssFull.bytes - rssHalf.bytes) / 1024 / (rssFull.live - rssHalf.live)
        : NaN,
    eventLoopP99Ms: eld?.p99 ?? null,
    eventLoopMaxMs: eld?.max ?? null,
    generatorCpuPct: (genSec / windowSec) * 100,
    generatorLagP99Ms: percentile(lag, 0.99),
    othersCpuPct: ((busySec - cpuSec - genSec) / windowSec) * 100,
    logBytesPerCall: (target.logBytes() - logBefore) / n,
    syscallsPerFrame:
      counted && samples.framesInWindow
        ? Object.fromEntries(
            [['total', counted.total] as const, ...Object.entries(counted.byName)].map(([k, v]) => [
              k,
              Math.round((v / samples.framesInWindow) * 100) / 100,
            ]),
          )
        : null,
  };
}
