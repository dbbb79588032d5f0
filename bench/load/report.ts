// The load bench's verdicts and output: whether a point held, the terminal table, the headline
// (µs per frame and calls held for each target, and their ratios).
import type { PointResult } from './load-point.js';

/** A point holds when p99 ≤ 20 ms and nothing was lost, misrouted, refused or closed early. */
export const P99_LIMIT_MS = 20;

export interface Row extends PointResult {
  target: string;
  pass: boolean;
  /** The generator's own CPU or send lag was high enough to enter the tail. */
  generatorTail: boolean;
  /** Measured again because other processes were busy; the quieter run counts. */
  superseded?: boolean;
}

export function judge(target: string, r: PointResult): Row {
  const pass =
    r.rtt.p99 <= P99_LIMIT_MS &&
    r.lostAfterFirstEcho === 0 &&
    r.lostHead === 0 &&
    r.failedCalls === 0 &&
    r.closedEarly === 0 &&
    r.wrongStreamSid === 0 &&
    r.foreignEchoes === 0;
  return { ...r, target, pass, generatorTail: r.generatorCpuPct > 60 || r.generatorLagP99Ms > 5 };
}

const f = (v: number | null, digits = 1) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits));

const COLUMNS: [string, (r: Row) => string][] = [
  ['target', (r) => r.target],
  ['N', (r) => String(r.n)],
  ['held', (r) => (r.pass ? 'yes' : 'NO')],
  ['µs/frame', (r) => f(r.usPerFrame)],
  ['cpu %', (r) => f(r.serverCpuPct)],
  ['loop %', (r) => f(r.loopCpuPct)],
  ['p50 ms', (r) => f(r.rtt.p50, 2)],
  ['p99 ms', (r) => f(r.rtt.p99, 2)],
  ['max ms', (r) => f(r.rtt.max, 1)],
  ['lost', (r) => String(r.lostAfterFirstEcho)],
  ['lost head', (r) => String(r.lostHead)],
  ['failed', (r) => String(r.failedCalls + r.closedEarly)],
  ['bad sid', (r) => String(r.wrongStreamSid + r.foreignEchoes)],
  ['out/in per frame', (r) => `${f(r.outPerFrame, 2)}/${f(r.inPerFrame, 2)}`],
  ['RSS MB idle→live→end', (r) => `${f(r.rssIdleMB, 0)}→${f(r.rssSteadyMB, 0)}→${f(r.rssEndMB, 0)}`],
  ['KB/call avg|marg', (r) => `${f(r.kbPerCall, 0)}|${f(r.kbPerCallMarginal, 0)}`],
  ['loop delay p99 ms', (r) => f(r.eventLoopP99Ms, 1)],
  ['gen cpu %', (r) => f(r.generatorCpuPct, 0) + (r.generatorTail ? '*' : '')],
  ['gen lag p99', (r) => f(r.generatorLagP99Ms, 1)],
  ['others %', (r) => f(r.othersCpuPct, 0)],
];

export function tableHeader(): string {
  return COLUMNS.map(([name]) => name).join(' | ');
}

export function tableRow(r: Row): string {
  return COLUMNS.map(([, cell]) => cell(r)).join(' | ');
}

/** A fixed-width table of all rows (terminal). */
export function table(rows: Row[]): string {
  const cells = [COLUMNS.map(([name]) => name), ...rows.map((r) => COLUMNS.map(([, cell]) => cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => v.padStart(widths[i]!)).join('  ')).join('\n');
}

export interface TargetHeadline {
  target: string;
  /** µs of server CPU per caller frame at the reference N. */
  usPerFrame: number | null;
  /** Largest N held before the first failure (0 if none held). */
  callsHeld: number;
  /** The sweep stopped before this target failed (time budget or list end). */
  heldAtEnd: boolean;
  /** RSS growth per live call at the reference N. */
  kbPerCall: number | null;
  /** After every point, RSS came back within 20 MB of its idle figure. */
  rssBack: boolean;
}

export interface Headline {
  /** Where RSS per call is read (the largest compared N). */
  referenceN: number | null;
  /** The N whose µs per frame are compared. */
  comparedAt: number[];
  targets: TargetHeadline[];
  /** ours / bare: below 1 means cheaper per frame. */
  usPerFrameRatio: number | null;
  /** ours / bare: 1 or more means at least as many calls. */
  callsHeldRatio: number | null;
}

/**
 * µs per frame is compared where the figure is the target's own (100 to 300 calls: above, the
 * generator nears its core's limit; below, fixed per-wakeup costs dominate): the median over the N
 * both targets ran at there, and the median of the per-N ratios (each pair measured back to back,
 * so a shared machine's drift cancels).
 */
const median = (xs: number[]): number | null => {
  const s = [...xs].sort((x, y) => x - y);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export function headline(rows: Row[], a: string, b: string): Headline {
  const ns = (t: string) => new Set(rows.filter((r) => r.target === t).map((r) => r.n));
  const common = [...ns(a)].filter((n) => ns(b).has(n)).sort((x, y) => x - y);
  const clean = common.filter((n) => n >= 100 && n <= 300);
  const compared = clean.length ? clean : common.slice(0, 1);
  const at = (t: string, n: number) => rows.find((r) => r.target === t && r.n === n);
  const referenceN = compared.at(-1) ?? null;
  const of = (t: string): TargetHeadline => {
    const mine = rows.filter((r) => r.target === t).sort((x, y) => x.n - y.n);
    let held = 0;
    let failed = false;
    for (const r of mine) {
      if (!r.pass) {
        failed = true;
        break;
      }
      held = r.n;
    }
    const ref = mine.find((r) => r.n === referenceN);
    return {
      target: t,
      usPerFrame: median(compared.map((n) => at(t, n)!.usPerFrame)),
      callsHeld: held,
      heldAtEnd: !failed,
      kbPerCall: ref ? ref.kbPerCall : null,
      rssBack: mine.every((r) => r.rssEndMB - r.rssIdleMB <= 20),
    };
  };
  const ta = of(a);
  const tb = of(b);
  return {
    referenceN,
    targets: [ta, tb],
    comparedAt: compared,
    usPerFrameRatio: median(compared.map((n) => at(a, n)!.usPerFrame / at(b, n)!.usPerFrame)),
    callsHeldRatio: ta.callsHeld && tb.callsHeld ? ta.callsHeld / tb.callsHeld : null,
  };
}
